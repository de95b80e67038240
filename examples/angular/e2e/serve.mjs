// @ts-check
// The app with its backend, for trying it by hand (after `npm run build`):
//   npm start                                         a clean model
//   npm start -- 'fault:cut-after-n:4*1'              the first attempt dies after 4 words, the retry succeeds
//   npm start -- fault:cut-after-n:2 gpt-4o-mini      a failing model, then a fallback
// The model names are the fault server's (see startFaultServer in l0-rx/testing).
import { startStack } from './stack.mjs';

const [model = 'gpt-4o-mini', ...fallbackModels] = process.argv.slice(2);
const stack = await startStack({ port: Number(process.env['PORT'] ?? 4200), tokenDelayMs: 120 });
await stack.use({ model, fallbackModels });
console.log(`open ${stack.url}  (model ${model}${fallbackModels.length ? `, fallbacks ${fallbackModels.join(', ')}` : ''}; Ctrl-C stops)`);
process.once('SIGINT', () => void stack.close().then(() => process.exit(0)));
