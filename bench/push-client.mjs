// Page views per second with pushes: each view opens a connection with push enabled, requests the
// page, and completes when the HTML and every pushed response have been read to the end.
// argv: url views concurrency. Prints JSON { views, seconds, viewsPerSecond, pushesPerView }.
import http2 from 'node:http2';

const [url, viewsArg = '500', concurrencyArg = '10'] = process.argv.slice(2);
const views = Number(viewsArg);
const concurrency = Number(concurrencyArg);

function view() {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { rejectUnauthorized: false, settings: { enablePush: true } });
    let open = 1;
    let pushes = 0;
    const done = () => {
      if (--open === 0) {
        session.close();
        resolve(pushes);
      }
    };
    session.on('error', reject);
    session.on('stream', (pushed) => {
      open++;
      pushes++;
      pushed.on('push', () => {});
      pushed.on('error', done);
      pushed.resume();
      pushed.on('end', done);
    });
    const req = session.request({ ':path': '/', accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'br, gzip' });
    req.on('error', reject);
    req.resume();
    req.on('end', done);
  });
}

let started = 0;
let totalPushes = 0;
const t0 = performance.now();
async function worker() {
  while (started < views) {
    started++;
    // Not `totalPushes += await view()`: that reads totalPushes before the await and loses updates.
    const pushes = await view();
    totalPushes += pushes;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ views, seconds, viewsPerSecond: views / seconds, pushesPerView: totalPushes / views }));
