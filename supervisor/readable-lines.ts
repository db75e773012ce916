import pinoPretty from 'pino-pretty';

/**
 * Fields a person at the terminal does not read: the SDK's activity details, the process's
 * identity (the line's prefix names it), and the ids beyond the order's and the request's. The
 * log file keeps every field.
 */
const UNREAD = ['pid', 'hostname', 'name', 'taskToken', 'namespace', 'taskQueue', 'workflowRunId', 'workflowType', 'activityId', 'isLocal', 'sdkComponent', 'workflowId', 'traceId', 'userId'];

/**
 * A supervisor line (`program        | text`) for a terminal: a program's JSON log line becomes one
 * short coloured line (time, level, message, the order and request ids, the rest); any other
 * text is left as it is.
 */
export function readableLines(): (line: string) => string {
  const pretty = pinoPretty.prettyFactory({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: UNREAD.join(',') });
  return (line) => {
    const bar = line.indexOf('| {');
    if (bar === -1) return line;
    try {
      JSON.parse(line.slice(bar + 2));
    } catch {
      return line;
    }
    return `${line.slice(0, bar + 2)}${pretty(line.slice(bar + 2)).trimEnd()}`;
  };
}
