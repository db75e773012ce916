// Bundles the payments worker's workflow code into the cache its worker reads first
// (workers/workflow-bundle.ts). The Dockerfile runs it where the bundler's native binding
// (@swc/core's, an optional dependency) is installed; the image itself has none, so its worker
// must find the bundle made here.
import { TRACED_WORKFLOW_SOURCE, workflowBundle, WORKFLOW_SOURCE } from '../workers/workflow-bundle.ts';

// Both bundles a worker may run: the plain one, and the one with the tracing interceptors (OTEL_* set).
for (const source of [WORKFLOW_SOURCE, TRACED_WORKFLOW_SOURCE]) {
  const { code } = await workflowBundle(source);
  console.log(`workflow bundle cached (${code.length} characters${source.interceptorModules ? ', with the tracing interceptors' : ''})`);
}
