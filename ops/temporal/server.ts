// The Temporal server of the production shape, in one place: docker-compose.yml (its images and its
// setup service) and the cluster mode run this version with these setup steps, and
// test/docker-compose.test.ts holds the compose file to them.
import { SEARCH_ATTRIBUTES } from '../../workflows/names.ts';

/** The server release: the temporalio/server and temporalio/admin-tools image tag, and the Go module version the cluster mode builds. */
export const TEMPORAL_SERVER_VERSION = '1.32.2';

/** How long a closed workflow stays in the namespace; after that the databases' inbox and conditional updates are the last guard. */
export const NAMESPACE_RETENTION = '72h';

const CLI_TYPE_NAMES = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' } as const;

/** Every search attribute the payment workflow sets, as `Name=Type` (what `setup-namespace.sh` and `temporal server start-dev --search-attribute` take). */
export const SEARCH_ATTRIBUTE_SPECS = Object.values(SEARCH_ATTRIBUTES).map((key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`);
