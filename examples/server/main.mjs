// @ts-check
// node examples/server/main.mjs   (after npm run build): the chat backend against the offline fault
// server, then one question streamed back through fromServerSentEvents, printed token by token.
import { accumulate, fromServerSentEvents } from 'l0-rx';
import { startFaultServer } from 'l0-rx/testing';
import { lastValueFrom, tap } from 'rxjs';
import { startChatServer } from './chatServer.mjs';

const faults = await startFaultServer({ tokenDelayMs: 30 });
const backend = await startChatServer({ baseURL: faults.url });
console.log(`chat backend on ${backend.url}/chat/<id>?q=...`);
const final = await lastValueFrom(
  fromServerSentEvents(`${backend.url}/chat/demo-1?q=Tell+me+about+the+fox`).pipe(
    tap((e) => e.type === 'token' && process.stdout.write(e.value)),
    accumulate(),
  ),
);
console.log(`\n${final.status}: ${final.tokenCount} tokens`);
await backend.close();
await faults.close();
