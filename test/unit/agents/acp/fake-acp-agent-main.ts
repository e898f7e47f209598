// The scriptable fake ACP agent as a real process on stdin/stdout (see fake-acp-agent.ts). argv[2] picks
// a start-up behaviour; each prompt's text picks what the turn does.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { methods, ndJsonStream } from '@agentclientprotocol/sdk';
import { fakeAgent } from './fake-acp-agent.js';

const behaviour = process.argv[2] ?? 'normal';
if (behaviour === 'exit-at-start') {
  process.stderr.write('fake agent: configuration is broken\n');
  process.exit(7);
}

const { app } = fakeAgent({
  requireAuth: behaviour === 'needs-auth' ? 'fake-key' : undefined,
  // Like claude-agent-acp configured with bypassPermissions: it never asks before writing.
  ...(behaviour === 'claude-modes' && {
    modes: {
      current: 'bypassPermissions',
      available: ['default', 'acceptEdits', 'plan', 'bypassPermissions'],
    },
  }),
  onPrompt: async ({ text, update, cancelled, client, sessionId, cwd, mode }) => {
    await update({
      sessionUpdate: 'agent_message_chunk',
      content: { type: 'text', text: `working on ${text}. ` },
    });
    if (text.startsWith('SLOW')) {
      await cancelled;
      return { stopReason: 'cancelled' };
    }
    if (text.startsWith('IGNORE-CANCEL')) {
      // A descendant, to see that the whole tree is stopped.
      spawn('sleep', ['1000'], { stdio: 'ignore' });
      await new Promise(() => {});
    }
    if (text.startsWith('CRASH')) {
      process.stderr.write('fake agent: segmentation fault (core dumped)\n');
      process.exit(3);
    }
    if (text.startsWith('WAIT ')) await new Promise((resolve) => setTimeout(resolve, Number(text.slice(5))));
    // Writes on its own, asking nobody, unless its session is in plan mode.
    if (text.startsWith('BYPASS-WRITE ') && mode !== 'plan')
      writeFileSync(text.split(' ')[1] ?? '', 'bypassed\n');
    // Writes through the client's file system without asking first.
    if (text.startsWith('FS-WRITE ')) {
      await client
        .request(methods.client.fs.writeTextFile, {
          sessionId,
          path: text.split(' ')[1] ?? '',
          content: 'fs\n',
        })
        .catch(() => {});
    }
    if (text.startsWith('WRITE ')) {
      const [, inside, outside] = text.split(' ');
      for (const path of [inside, outside]) {
        if (!path) continue;
        const answer = await client.request(methods.client.session.requestPermission, {
          sessionId,
          toolCall: {
            toolCallId: `write-${path}`,
            kind: 'edit',
            title: `Write ${path}`,
            locations: [{ path }],
          },
          options: [
            { optionId: 'always', name: 'Always', kind: 'allow_always' },
            { optionId: 'once', name: 'Allow', kind: 'allow_once' },
            { optionId: 'no', name: 'Reject', kind: 'reject_once' },
          ],
        });
        const allowed = answer.outcome.outcome === 'selected' && answer.outcome.optionId === 'once';
        if (allowed)
          await client.request(methods.client.fs.writeTextFile, { sessionId, path, content: `in ${cwd}\n` });
        await update({
          sessionUpdate: 'tool_call_update',
          toolCallId: `write-${path}`,
          kind: 'edit',
          status: allowed ? 'completed' : 'failed',
          locations: [{ path }],
        });
      }
    }
    await update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'done.' } });
    return { stopReason: 'end_turn', usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18 } };
  },
});

const stream = ndJsonStream(
  Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
  Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
);
const connection = app.connect(stream);
await connection.closed;
process.exit(0);
