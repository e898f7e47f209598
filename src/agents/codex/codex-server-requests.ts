/**
 * Answers to the questions a codex app-server may ask its client. Steps run unattended with approval
 * policy "never", so codex should not ask (none were seen in measurements); if a configuration makes it ask
 * anyway, the answer is no, so nothing runs that the sandbox and policy did not already allow, and the turn
 * goes on without it.
 */
import type { RpcReply, RpcServerRequest } from './codex-rpc.js';

const declineReason = 'ai-collab runs codex unattended; approval requests are declined';

export function answerServerRequest(request: RpcServerRequest): RpcReply {
  switch (request.method) {
    case 'item/commandExecution/requestApproval':
    case 'item/fileChange/requestApproval':
      return { result: { decision: 'decline' } };
    // The protocol's v1 approvals, kept by codex for older clients.
    case 'execCommandApproval':
    case 'applyPatchApproval':
      return { result: { decision: { denied: { rejection: declineReason } } } };
    case 'item/tool/requestUserInput':
      return { result: { answers: {} } };
    case 'mcpServer/elicitation/request':
      return { result: { action: 'decline', content: null, _meta: null } };
    default:
      return { error: { code: -32601, message: `ai-collab does not handle ${request.method}` } };
  }
}
