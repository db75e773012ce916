// Bundles the payments worker's workflow code into the cache its worker reads first
// (workers/workflow-bundle.ts). The Dockerfile runs it where the bundler's native binding
// (@swc/core's, an optional dependency) is installed; the image itself has none, so its worker
// must find the bundle made here.
import { workflowBundle } from '../workers/workflow-bundle.ts';

const { code } = await workflowBundle();
console.log(`workflow bundle cached (${code.length} characters)`);
