import type {
  ChildHandle,
  ExitInfo,
  ProcessSpawner,
  SpawnRequest,
} from '../../src/supervisor/process-spawner.js';

/** A child the test drives: it prints lines and exits when told, and records the signals it got. */
export class FakeChild implements ChildHandle {
  readonly pid: number;
  readonly request: SpawnRequest;
  readonly signals: string[] = [];
  #stdout: Array<(line: string) => void> = [];
  #stderr: Array<(line: string) => void> = [];
  #exit: Array<(exit: ExitInfo) => void> = [];
  #exited: ExitInfo | undefined;
  /** What the child does on SIGTERM: exit at once (a graceful server) or nothing (a stuck one). */
  honoursSigterm = true;

  constructor(pid: number, request: SpawnRequest) {
    this.pid = pid;
    this.request = request;
  }

  get exited(): boolean {
    return this.#exited !== undefined;
  }

  onStdoutLine(listener: (line: string) => void): void {
    this.#stdout.push(listener);
  }

  onStderrLine(listener: (line: string) => void): void {
    this.#stderr.push(listener);
  }

  onExit(listener: (exit: ExitInfo) => void): void {
    if (this.#exited) listener(this.#exited);
    else this.#exit.push(listener);
  }

  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || this.honoursSigterm) this.exit({ code: null, signal });
  }

  print(line: string): void {
    for (const listener of this.#stdout) listener(line);
  }

  printError(line: string): void {
    for (const listener of this.#stderr) listener(line);
  }

  exit(exit: ExitInfo): void {
    if (this.#exited) return;
    this.#exited = exit;
    for (const listener of this.#exit) listener(exit);
  }
}

export class FakeSpawner implements ProcessSpawner {
  readonly children: FakeChild[] = [];
  #nextPid = 5_000;
  /** Called with each new child, e.g. to make it announce itself. */
  onSpawn: (child: FakeChild) => void = () => undefined;

  spawn(request: SpawnRequest): ChildHandle {
    const child = new FakeChild(this.#nextPid++, request);
    this.children.push(child);
    this.onSpawn(child);
    return child;
  }

  get last(): FakeChild {
    const child = this.children[this.children.length - 1];
    if (!child) throw new Error('nothing was spawned');
    return child;
  }
}
