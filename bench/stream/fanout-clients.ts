/**
 * Child process of the fan-out part: opens N WebSocket clients to the server, each following one run,
 * and reports per-event delivery latency (receive time − the event's `at`) and sequence gaps as JSON.
 */
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/server/stream/stream-protocol.js';

const [url = '', token = '', runId = '', countText = '0', durationText = '0'] = process.argv.slice(2);
const count = Number(countText);
const durationMs = Number(durationText);

interface ClientStats {
  received: number;
  gaps: number;
  lastSeq: number;
}

const latencies: number[] = [];
const clients: ClientStats[] = [];
let open = 0;
let failedToOpen = 0;
let closedEarly = 0;

for (let index = 0; index < count; index++) {
  const stats: ClientStats = { received: 0, gaps: 0, lastSeq: -1 };
  clients.push(stats);
  const socket = new WebSocket(`${url.replace('http:', 'ws:')}/api/stream`, {
    origin: url,
    headers: { authorization: `Bearer ${token}` },
  });
  socket.on('open', () => {
    open++;
    socket.send(JSON.stringify({ type: 'subscribe', runId }));
  });
  socket.on('error', () => failedToOpen++);
  socket.on('close', () => {
    if (!finished) closedEarly++;
  });
  socket.on('message', (data: Buffer) => {
    const now = Date.now();
    const message = JSON.parse(data.toString()) as ServerMessage;
    if (message.type === 'snapshot') stats.lastSeq = message.seq;
    if (message.type !== 'events') return;
    for (const event of message.events) {
      if (stats.lastSeq >= 0 && event.seq !== stats.lastSeq + 1) stats.gaps++;
      stats.lastSeq = event.seq;
      stats.received++;
      latencies.push(now - event.at);
    }
  });
}

let finished = false;
const ready = setInterval(() => {
  if (open + failedToOpen < count) return;
  clearInterval(ready);
  process.stdout.write(`${JSON.stringify({ ready: true, open })}\n`);
  setTimeout(() => {
    finished = true;
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    process.stdout.write(
      `${JSON.stringify({
        open,
        failedToOpen,
        closedEarly,
        deliveries: latencies.length,
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: latencies[latencies.length - 1] ?? 0,
        gaps: clients.reduce((sum, client) => sum + client.gaps, 0),
        minReceived: Math.min(...clients.map((client) => client.received)),
        maxReceived: Math.max(...clients.map((client) => client.received)),
      })}\n`,
    );
    process.exit(0);
  }, durationMs);
}, 20);
