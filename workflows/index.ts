// Every workflow the payments worker runs; the worker bundles this file.
export { paymentWorkflow } from './payment.workflow.ts';
