import { l0 } from 'l0-rx';
const WORDS = ['the ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog ', 'while ','birds ', 'sing ', 'in ', 'morning ', 'light ', 'songs '];
async function* prose(n) { for (let i = 0; i < n; i++) yield i % 16 === 0 ? `${i}. ` : WORDS[i % WORDS.length]; }
const run = (n) => new Promise((res, rej) => l0({ stream: () => prose(n), continueFromLastKnownGoodToken: true }).subscribe({ error: rej, complete: res }));
for (let i = 0; i < 80; i++) await run(20000);
