// `npm run token -- <userId> [hours]`: prints a JWT the gateway accepts, signed with JWT_SECRET
// or, where that is not set, with the local secret `npm start` uses.
import { USER_ID_FORMAT } from '../services/gateway/authenticate.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { loadDevSecrets } from '../supervisor/dev-secrets.ts';

const [userId, hours = '24'] = process.argv.slice(2);
if (!userId || !USER_ID_FORMAT.test(userId) || !(Number(hours) > 0)) {
  console.error('Usage: npm run token -- <userId> [hours]   (userId: 1 to 128 visible ASCII characters)');
  process.exit(2);
}
const secret = process.env.JWT_SECRET ?? loadDevSecrets(process.env.DATA_DIR ?? '.data').JWT_SECRET;
console.log(await signUserToken(secret, userId, Math.round(Number(hours) * 3600)));
