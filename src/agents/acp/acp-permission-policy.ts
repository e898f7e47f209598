/**
 * Answers an ACP agent's `session/request_permission` for a headless step. Nobody is there to ask, so
 * the agent's configuration decides, and an answer is always "this once": never `allow_always`, which
 * would outlive the request it was given for.
 *
 * Levels: `read-only` allows reading and searching inside the working directory; `edits` (the default,
 * like Claude Code's acceptEdits and Gemini's auto_edit) also allows edits whose every path lies inside
 * it; `everything` (yolo / bypassPermissions) allows any tool once. Anything else is rejected.
 */
import type {
  PermissionOption,
  RequestPermissionOutcome,
  RequestPermissionRequest,
  ToolCallUpdate,
} from '@agentclientprotocol/sdk';
import { pathInside } from './acp-file-system.js';
import type { AcpSpec } from './acp-spec.js';

export type PermissionLevel = 'read-only' | 'edits' | 'everything';

/** From gemini's `approvalMode` or, failing that, claude's `permissionMode`; edits when neither is set. */
export function permissionLevel(spec: {
  approvalMode?: AcpSpec['approvalMode'];
  permissionMode?: AcpSpec['permissionMode'];
}): PermissionLevel {
  switch (spec.approvalMode) {
    case 'yolo':
      return 'everything';
    case 'auto_edit':
      return 'edits';
    case 'default':
    case 'plan':
      return 'read-only';
  }
  switch (spec.permissionMode) {
    case 'bypassPermissions':
      return 'everything';
    case 'acceptEdits':
    case 'auto':
      return 'edits';
    case 'default':
    case 'plan':
    case 'dontAsk':
      return 'read-only';
  }
  return 'edits';
}

export interface PermissionDecision {
  outcome: RequestPermissionOutcome;
  allowed: boolean;
  /** Why, for the step's transcript and events. */
  reason: string;
}

const readingKinds = new Set(['read', 'search', 'think']);

export function decidePermission(
  request: RequestPermissionRequest,
  level: PermissionLevel,
  cwd: string,
): PermissionDecision {
  const verdict = judge(request.toolCall, level, cwd);
  const option = verdict.allowed
    ? pick(request.options, ['allow_once'])
    : pick(request.options, ['reject_once', 'reject_always']);
  if (verdict.allowed && !option) {
    return {
      outcome: rejectOrCancel(request.options),
      allowed: false,
      reason: `${verdict.reason}, but the agent offered no "allow once" option`,
    };
  }
  return {
    outcome: option ? { outcome: 'selected', optionId: option.optionId } : { outcome: 'cancelled' },
    allowed: verdict.allowed,
    reason: verdict.reason,
  };
}

function judge(
  tool: ToolCallUpdate,
  level: PermissionLevel,
  cwd: string,
): { allowed: boolean; reason: string } {
  const kind = tool.kind ?? 'other';
  const paths = toolPaths(tool);
  const outside = paths.filter((path) => pathInside(cwd, path) === undefined);
  if (level === 'everything') return { allowed: true, reason: `${kind} allowed (everything is allowed)` };
  if (outside.length > 0) {
    return { allowed: false, reason: `${kind} rejected: ${outside.join(', ')} is outside ${cwd}` };
  }
  if (readingKinds.has(kind)) return { allowed: true, reason: `${kind} inside the working directory` };
  if (kind === 'edit' && level === 'edits') {
    if (paths.length === 0) return { allowed: false, reason: 'edit rejected: it names no file' };
    return { allowed: true, reason: 'edit inside the working directory' };
  }
  return { allowed: false, reason: `${kind} rejected (${level} allows ${allowedKinds(level)})` };
}

function allowedKinds(level: PermissionLevel): string {
  return level === 'edits'
    ? 'reads and edits inside the working directory'
    : 'reads inside the working directory';
}

/** Every file a tool call names: its locations and the paths of its diffs. */
export function toolPaths(tool: Pick<ToolCallUpdate, 'locations' | 'content'>): string[] {
  const paths = (tool.locations ?? []).map((location) => location.path);
  for (const item of tool.content ?? []) {
    if (item.type === 'diff' && typeof item.path === 'string') paths.push(item.path);
  }
  return [...new Set(paths)];
}

function pick(options: readonly PermissionOption[], kinds: readonly string[]): PermissionOption | undefined {
  for (const kind of kinds) {
    const option = options.find((candidate) => candidate.kind === kind);
    if (option) return option;
  }
  return undefined;
}

function rejectOrCancel(options: readonly PermissionOption[]): RequestPermissionOutcome {
  const reject = pick(options, ['reject_once', 'reject_always']);
  return reject ? { outcome: 'selected', optionId: reject.optionId } : { outcome: 'cancelled' };
}
