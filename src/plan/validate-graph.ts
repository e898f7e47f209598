/** Graph checks on a plan's steps: duplicate ids, unknown or self dependencies, and cycles, all in one pass. */
import { closest, distance } from 'fastest-levenshtein';
import type { PlanProblem } from './plan-problem.js';

export interface GraphNode {
  /** Canonical id (string form). */
  id: string;
  /** Position in the file's step list, for error paths. */
  index: number;
  /** Dependency ids as canonical strings, in the order written. */
  needs: string[];
  /** Which key the dependencies were written under (`needs` or `inputs`). */
  needsKey: string;
}

export function validateGraph(nodes: readonly GraphNode[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (nodes.length === 0) {
    problems.push({ path: ['steps'], message: 'the plan has no steps; add at least one step' });
    return problems;
  }
  const firstIndexById = new Map<string, number>();
  for (const node of nodes) {
    const first = firstIndexById.get(node.id);
    if (first === undefined) firstIndexById.set(node.id, node.index);
    else {
      problems.push({
        path: ['steps', node.index, 'id'],
        message: `duplicate step id "${node.id}" (first used by steps[${first}]); give each step its own id`,
      });
    }
  }
  const ids = [...firstIndexById.keys()];
  for (const node of nodes) {
    node.needs.forEach((dependency, position) => {
      const path = ['steps', node.index, node.needsKey, position];
      if (dependency === node.id) {
        problems.push({
          path,
          message: `step "${node.id}" depends on itself; remove it from ${node.needsKey}`,
        });
      } else if (!firstIndexById.has(dependency)) {
        problems.push({ path, message: `unknown step "${dependency}"${didYouMean(dependency, ids)}` });
      }
    });
  }
  problems.push(...findCycles(nodes, firstIndexById));
  return problems;
}

export function didYouMean(name: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const suggestion = closest(name, candidates as string[]);
  const limit = Math.max(2, Math.floor(name.length / 3));
  return distance(name, suggestion) <= limit ? `; did you mean "${suggestion}"?` : '';
}

/**
 * Tarjan's strongly connected components, iteratively (plans may hold 100,000 steps, too deep for
 * recursion). Each component with more than one step holds a cycle; the shortest one through its
 * first step is printed.
 */
function findCycles(nodes: readonly GraphNode[], indexById: Map<string, number>): PlanProblem[] {
  const nodeById = new Map<string, GraphNode>();
  for (const node of nodes) if (!nodeById.has(node.id)) nodeById.set(node.id, node);
  const edges = (node: GraphNode): string[] =>
    node.needs.filter((dependency) => dependency !== node.id && nodeById.has(dependency));

  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of nodeById.keys()) {
    if (order.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    order.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; next: number };
      const outgoing = edges(nodeById.get(frame.id) as GraphNode);
      if (frame.next < outgoing.length) {
        const target = outgoing[frame.next++] as string;
        if (!order.has(target)) {
          order.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, order.get(target) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === order.get(frame.id)) {
        const component: string[] = [];
        for (;;) {
          const member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
          if (member === frame.id) break;
        }
        if (component.length > 1) components.push(component);
      }
    }
  }

  return components.map((component) => {
    const members = new Set(component);
    const start = component.reduce((best, id) =>
      (indexById.get(id) as number) < (indexById.get(best) as number) ? id : best,
    );
    const cycle = shortestCycleThrough(start, members, (id) => edges(nodeById.get(id) as GraphNode));
    const startNode = nodeById.get(start) as GraphNode;
    return {
      path: ['steps', startNode.index, startNode.needsKey],
      message: `dependency cycle: ${cycle.join(' → ')} (each step needs the next); remove one of these dependencies`,
    };
  });
}

function shortestCycleThrough(start: string, members: Set<string>, next: (id: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head] as string;
    for (const target of next(current)) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = current; at !== start; at = previous.get(at) as string) path.splice(1, 0, at);
        path.push(start);
        return path;
      }
      if (!previous.has(target)) {
        previous.set(target, current);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
