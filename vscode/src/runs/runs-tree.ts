/** The Runs view: runs (newest first) → steps in plan order, each with its status icon. */
import * as vscode from 'vscode';
import { choiceReport } from '../../../src/engine/choice/choice-report.js';
import type { StepState } from '../api/api-types.js';
import { type ApprovalForecast, withForecast } from './approval-forecast.js';
import { statusIcon } from './run-status.js';
import { effectiveStatus, type RunEntry, type RunsModel } from './runs-model.js';
import { type StepChoice, stepChoice } from './step-choice.js';

export type RunsNode = { kind: 'run'; runId: string } | { kind: 'step'; runId: string; stepId: string };

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  readonly #model: RunsModel;
  /** Asked when a run is expanded whose steps the model does not hold yet. */
  readonly #needSteps: (runId: string) => void;
  /** The forecast of a run waiting for approval, once fetched. */
  readonly #forecastOf: (runId: string) => ApprovalForecast | undefined;
  readonly #onDidChangeTreeData = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.#onDidChangeTreeData.event;
  readonly #runNodes = new Map<string, RunsNode>();

  constructor(
    model: RunsModel,
    needSteps: (runId: string) => void,
    forecastOf: (runId: string) => ApprovalForecast | undefined,
  ) {
    this.#model = model;
    this.#needSteps = needSteps;
    this.#forecastOf = forecastOf;
  }

  refresh(): void {
    this.#onDidChangeTreeData.fire(undefined);
  }

  runNode(runId: string): RunsNode {
    let node = this.#runNodes.get(runId);
    if (!node) {
      node = { kind: 'run', runId };
      this.#runNodes.set(runId, node);
    }
    return node;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) return this.#model.list().map((entry) => this.runNode(entry.summary.runId));
    if (node.kind === 'step') return [];
    const state = this.#model.get(node.runId)?.state;
    if (!state) {
      this.#needSteps(node.runId);
      return [];
    }
    return state.order.map((stepId) => ({ kind: 'step', runId: node.runId, stepId }));
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.kind === 'step' ? this.runNode(node.runId) : undefined;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const entry = this.#model.get(node.runId);
    if (!entry) return new vscode.TreeItem(node.runId);
    // The forecast is what approval decides on: shown while the run waits for it.
    const forecast =
      effectiveStatus(entry) === 'awaiting_approval' ? this.#forecastOf(node.runId) : undefined;
    if (node.kind === 'run') return runItem(entry, forecast?.headline);
    const state = entry.state;
    const step = state?.steps[node.stepId];
    if (!state || !step) return new vscode.TreeItem(node.stepId);
    const choice = stepChoice(choiceReport(state), String(step.label));
    return stepItem(node.runId, step, withForecast(choice, forecast?.steps.get(step.id)));
  }

  dispose(): void {
    this.#onDidChangeTreeData.dispose();
  }
}

function icon(status: string): vscode.ThemeIcon {
  const { id, color } = statusIcon(status);
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

function runItem(entry: RunEntry, forecast: string | undefined): vscode.TreeItem {
  const status = effectiveStatus(entry);
  const { summary, state } = entry;
  const item = new vscode.TreeItem(summary.name || summary.runId, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run:${summary.runId}`;
  const succeeded = state?.counts.succeeded ?? summary.counts?.succeeded ?? 0;
  item.description = `${status.replace('_', ' ')} · ${succeeded}/${summary.stepCount} steps`;
  item.iconPath = icon(status);
  item.contextValue = `run.${status}`;
  const tooltip = new vscode.MarkdownString(undefined, false);
  tooltip.appendText(`${summary.name} (${summary.runId})\nstatus: ${status}`);
  if (state?.approvalReason) tooltip.appendText(`\nwaiting because: ${state.approvalReason}`);
  if (forecast) tooltip.appendText(`\n${forecast}`);
  item.tooltip = tooltip;
  return item;
}

function stepItem(runId: string, step: StepState, choice: StepChoice): vscode.TreeItem {
  const item = new vscode.TreeItem(String(step.label), vscode.TreeItemCollapsibleState.None);
  item.id = `step:${runId}:${step.id}`;
  const attempt = step.attempts > 1 ? ` (attempt ${step.attempts})` : '';
  item.description = `${step.agent} · ${step.status}${attempt}${choice.description ? ` · ${choice.description}` : ''}`;
  item.iconPath = icon(step.status);
  item.contextValue = `step.${step.status}`;
  const lines = [`${step.id}: ${step.status}`, `agent: ${step.agent}`];
  if (step.error) lines.push(`error: ${step.error.message}`);
  if (step.blockedBy) lines.push(`blocked by: ${step.blockedBy}`);
  lines.push(...choice.tooltip);
  item.tooltip = lines.join('\n');
  return item;
}
