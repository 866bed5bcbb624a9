/**
 * Schemas of Marathon's answers that marathon-client.ts reads (types in marathon-types.ts):
 * the group, an app with its tasks, the task list, the deployments, a change's deployment.
 * Marathon's answers hold many more fields than these; they are kept unread.
 */
import type * as v from "valibot";

import {
  checkAnswer,
  flag,
  list,
  optional,
  record,
  text,
  wholeNumber,
  type Checked,
  type SameShape,
} from "../../model/wire-check.js";
import type {
  MarathonAppInfo,
  MarathonDeployment,
  MarathonDeploymentResult,
  MarathonGroupInfo,
  MarathonTask,
} from "./marathon-types.js";

export const taskSchema = record({
  id: text(),
  appId: text(),
  host: text(),
  state: optional(text()),
  ports: optional(list(wholeNumber())),
  ipAddresses: optional(list(record({ ipAddress: text(), protocol: optional(text()) }))),
  healthCheckResults: optional(
    list(
      record({
        alive: flag(),
        consecutiveFailures: optional(wholeNumber()),
        instanceId: optional(text()),
      }),
    ),
  ),
  startedAt: optional(text()),
});

export const appInfoSchema = record({
  id: text(),
  instances: wholeNumber(),
  tasksRunning: optional(wholeNumber()),
  tasksHealthy: optional(wholeNumber()),
  tasksStaged: optional(wholeNumber()),
  tasksUnhealthy: optional(wholeNumber()),
  deployments: optional(list(record({ id: text() }))),
  tasks: optional(list(taskSchema)),
});

export const groupInfoSchema = record({ id: text(), apps: optional(list(appInfoSchema)) });

export const deploymentSchema = record({
  id: text(),
  version: optional(text()),
  affectedApps: optional(list(text())),
  currentStep: optional(wholeNumber()),
  totalSteps: optional(wholeNumber()),
  currentActions: optional(list(record({ action: text(), app: optional(text()) }))),
});

export const deploymentResultSchema = record({ deploymentId: text(), version: text() });

// The schemas and the types they check cannot drift apart: these lines stop compiling.
export const taskShapeMatches: SameShape<v.InferOutput<typeof taskSchema>, MarathonTask> = true;
export const appInfoShapeMatches: SameShape<v.InferOutput<typeof appInfoSchema>, MarathonAppInfo> = true;
export const groupInfoShapeMatches: SameShape<
  v.InferOutput<typeof groupInfoSchema>,
  MarathonGroupInfo
> = true;
export const deploymentShapeMatches: SameShape<
  v.InferOutput<typeof deploymentSchema>,
  MarathonDeployment
> = true;
export const deploymentResultShapeMatches: SameShape<
  v.InferOutput<typeof deploymentResultSchema>,
  MarathonDeploymentResult
> = true;

const appAnswerSchema = record({ app: appInfoSchema });
const taskListSchema = record({ tasks: list(taskSchema) });
const deploymentListSchema = list(deploymentSchema);

export const checkGroup = (value: unknown): Checked<MarathonGroupInfo> =>
  checkAnswer(groupInfoSchema, value, "a group");
export const checkApp = (value: unknown): Checked<{ app: MarathonAppInfo }> =>
  checkAnswer(appAnswerSchema, value, "an app");
export const checkTaskList = (value: unknown): Checked<{ tasks: MarathonTask[] }> =>
  checkAnswer(taskListSchema, value, "a task list");
export const checkDeployments = (value: unknown): Checked<MarathonDeployment[]> =>
  checkAnswer(deploymentListSchema, value, "a deployment list");
export const checkDeploymentResult = (value: unknown): Checked<MarathonDeploymentResult> =>
  checkAnswer(deploymentResultSchema, value, "a deployment");
