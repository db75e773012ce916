// The Go programs of `npm run start:cluster`: the Temporal server, its SQL tool (which carries the
// PostgreSQL schemas) and the Web UI server, each built once with Go and kept in the cache.
import { TEMPORAL_SERVER_VERSION } from '../ops/temporal/server.ts';
import { ensureGoTool, type GoTool } from './go-tools.ts';


/** 1.32.2 is the newest release whose module builds offline with `go install` (its go.mod wants Go 1.26.10). */
export const TEMPORAL_SERVER: GoTool = {
  title: 'the Temporal server',
  name: 'temporal-server',
  version: TEMPORAL_SERVER_VERSION,
  goPackage: 'go.temporal.io/server/cmd/server',
  executable: 'server',
  ldflags: '-s -w',
};

export const TEMPORAL_SQL_TOOL: GoTool = {
  title: "the Temporal server's SQL tool",
  name: 'temporal-sql-tool',
  version: TEMPORAL_SERVER_VERSION,
  goPackage: 'go.temporal.io/server/cmd/tools/sql',
  executable: 'sql',
  ldflags: '-s -w',
};

/** The newest that builds offline: 2.56.1 and later need github.com/labstack/echo/v4 v4.16.1, which the module proxy does not serve. */
export const TEMPORAL_UI_SERVER: GoTool = {
  title: 'the Temporal Web UI server',
  name: 'temporal-ui-server',
  version: '2.56.0',
  goPackage: 'github.com/temporalio/ui-server/v2/cmd/server',
  executable: 'server',
  ldflags: '-s -w',
};

export interface TemporalClusterTools {
  server: string;
  sqlTool: string;
  uiServer: string;
}

/** The three programs, built one after the other (each `go install` already uses every core). */
export async function ensureTemporalClusterTools(log: (line: string) => void = console.error): Promise<TemporalClusterTools> {
  const server = await ensureGoTool(TEMPORAL_SERVER, log);
  const sqlTool = await ensureGoTool(TEMPORAL_SQL_TOOL, log);
  const uiServer = await ensureGoTool(TEMPORAL_UI_SERVER, log);
  return { server, sqlTool, uiServer };
}
