/**
 * The resident step launcher's program, in Perl. Node's `spawn` forks the whole orchestrator for each
 * child and waits for its `exec`, at a cost that grows with the orchestrator's memory (1.4 ms per spawn
 * of the CLI at ~105 MB, on the event loop): for a plan of small commands, most of its time. A Perl
 * interpreter of a few MB forks in a fraction of that, outside the event loop, and unlike a shell it
 * reads a child's exact wait status (a signal is not confused with `exit 143`).
 *
 * Only core built-ins, no module: the program runs the same on any Perl 5 and starts in milliseconds.
 * It is run with an empty environment, so no `PERL5OPT` or `PERL5LIB` of the user's reaches it.
 *
 * Protocol (every field ends with a NUL byte; the orchestrator checks that no field contains one):
 * - on stdin, `R` cgroup-procs cgroup-dir cwd fence env-count env… argc argv… fallback-count fallback…:
 *   start a child in a new process group that joins the cgroup, enters `cwd`, gets exactly `env` and execs
 *   `argv`, or `fallback` if `argv` cannot be exec'd;
 * - on stdin, `F` fence: write `fence` to stdout and to stderr (after the orchestrator stopped a step's
 *   leftovers: everything the step printed is then before it);
 * - on fd 3, one line per event: `S pid hex(/proc/pid/stat)` once the child exec'd; `X errno what` when it
 *   could not (nothing ran); `E status clean|dirty` with the raw wait status once it ended, `clean` when
 *   its cgroup was empty and removed, in which case the fence is already written to stdout and stderr.
 *
 * The child inherits stdout and stderr (the slot's output, shared by its steps one after another) and
 * nothing else: Perl opens its own files close-on-exec, and fd 3 is replaced by such a copy at start.
 * End of stdin (the orchestrator is gone) ends the launcher once no step of its runs.
 */
export const launcherProgram = String.raw`
open(my $ctl, '>&', 3) or exit 111;
open(my $inherited, '>&=', 3) and close($inherited);
select((select($ctl), $| = 1)[0]);
$/ = "\0";
sub field { my $value = <STDIN>; exit 0 unless defined $value; chop $value; return $value; }
sub fence { my ($text) = @_; syswrite(STDOUT, $text); syswrite(STDERR, $text); }
while (1) {
  my $kind = field();
  if ($kind eq 'F') { fence(field()); next; }
  my ($procs, $cgroup, $cwd, $fence) = (field(), field(), field(), field());
  my %env;
  for (1 .. field()) { my $entry = field(); my $at = index($entry, '='); $env{substr($entry, 0, $at)} = substr($entry, $at + 1); }
  my @argv = map { field() } 1 .. field();
  my @fallback = map { field() } 1 .. field();
  my ($failed, $failing);
  unless (pipe($failed, $failing)) { print $ctl 'X ' . ($! + 0) . " pipe\n"; next; }
  my $pid = fork();
  unless (defined $pid) { print $ctl 'X ' . ($! + 0) . " fork\n"; next; }
  if ($pid == 0) {
    close($failed);
    my $fail = sub { syswrite($failing, ($! + 0) . " $_[0]"); exit 127; };
    setpgrp(0, 0);
    open(STDIN, '<', '/dev/null') or $fail->('stdin');
    open(my $join, '>', $procs) or $fail->('cgroup');
    (print $join $$) && close($join) or $fail->('cgroup');
    chdir($cwd) or $fail->('cwd');
    %ENV = %env;
    exec { $argv[0] } @argv;
    exec { $fallback[0] } @fallback if @fallback;
    $fail->('exec');
  }
  close($failing);
  my $why = '';
  sysread($failed, $why, 512);
  close($failed);
  if ($why ne '') { waitpid($pid, 0); rmdir($cgroup); print $ctl "X $why\n"; next; }
  my $stat = '';
  if (open(my $file, '<', "/proc/$pid/stat")) { local $/; $stat = <$file> // ''; close($file); }
  print $ctl "S $pid " . unpack('H*', $stat) . "\n";
  waitpid($pid, 0);
  my $status = $?;
  if (rmdir($cgroup)) { fence($fence); print $ctl "E $status clean\n"; }
  else { print $ctl "E $status dirty\n"; }
}
`;
