// BullMQ doing the same work as Corral in scripts/redis-bench.sh, driven by RedisBench (Java).
//   node bench.mjs produce PORT QUEUE N TYPE [WARM]
//                                                waits for "go" on stdin; with WARM, adds WARM jobs
//                                                first, prints "WARMED <seconds>" and waits for "go"
//                                                again; then addBulk in chunks of 1000, prints
//                                                "ENQUEUED <n> <seconds>"
//   node bench.mjs work PORT QUEUE CONCURRENCY   one Worker; prints READY, starts on "go"; adds its
//                                                completed jobs to the key bench:done every 20 ms;
//                                                exits on SIGTERM
//   node bench.mjs latency PORT QUEUE N RATE [WARM]
//                                                waits for "go", adds one job at a time at RATE/s,
//                                                each carrying its enqueue time (µs since the epoch);
//                                                with WARM, WARM jobs first, then "WARMED" and "go"
// Job types: noop (nothing), probe (SADD QUEUE:probe:seen ID + INCR QUEUE:probe:runs in one MULTI,
// as Corral's probe handler), lat (pushes enqueue-to-start µs to bench:lat).
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import readline from 'node:readline';

const [role, port, queueName, ...rest] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null };
const jobOptions = { removeOnComplete: true, removeOnFail: true };
const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

function awaitGo() {
  console.log('READY');
  return awaitLine();
}

function awaitLine() {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.once('line', () => { rl.close(); resolve(); });
  });
}

if (role === 'produce') {
  const [n, type, warm] = [Number(rest[0]), rest[1], Number(rest[2] ?? 0)];
  const queue = new Queue(queueName, { connection });
  await queue.waitUntilReady();
  await queue.getJobCounts();   // connected before the clock starts
  await awaitGo();
  const addAll = async (count, prefix) => {
    for (let i = 0; i < count; i += 1000) {
      const jobs = [];
      for (let j = i; j < Math.min(count, i + 1000); j++) {
        jobs.push({ name: type, data: { id: prefix + String(j) }, opts: jobOptions });
      }
      await queue.addBulk(jobs);
    }
  };
  if (warm > 0) {
    const w0 = performance.now();
    await addAll(warm, 'w');
    console.log(`WARMED ${(performance.now() - w0) / 1000}`);
    await awaitLine();
  }
  const t0 = performance.now();
  await addAll(n, '');
  const seconds = (performance.now() - t0) / 1000;
  console.log(`ENQUEUED ${n} ${seconds}`);
  await queue.close();
  process.exit(0);
} else if (role === 'latency') {
  const [n, rate, warm] = [Number(rest[0]), Number(rest[1]), Number(rest[2] ?? 0)];
  const queue = new Queue(queueName, { connection });
  await queue.waitUntilReady();
  await awaitGo();
  const paced = async (count) => {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await queue.add('lat', { t: nowMicros() }, jobOptions);
    }
  };
  if (warm > 0) {
    const w0 = performance.now();
    await paced(warm);
    console.log(`WARMED ${(performance.now() - w0) / 1000}`);
    await awaitLine();
  }
  const t0 = performance.now();
  await paced(n);
  console.log(`ENQUEUED ${n} ${(performance.now() - t0) / 1000}`);
  await queue.close();
  process.exit(0);
} else if (role === 'work') {
  const concurrency = Number(rest[0]);
  const redis = new IORedis(connection);
  let done = 0;
  let lat = [];
  const worker = new Worker(queueName, async (job) => {
    if (job.name === 'probe') {
      await redis.multi().sadd(`${queueName}:probe:seen`, job.data.id).incr(`${queueName}:probe:runs`).exec();
    } else if (job.name === 'lat') {
      lat.push(nowMicros() - job.data.t);
    }
  }, { connection, concurrency, autorun: false });
  worker.on('completed', () => { done++; });
  const flush = async () => {
    const d = done; done = 0;
    const l = lat; lat = [];
    const m = redis.multi();
    if (d > 0) m.incrby('bench:done', d);
    if (l.length > 0) m.rpush('bench:lat', ...l.map(String));
    if (d > 0 || l.length > 0) await m.exec();
  };
  const timer = setInterval(flush, 20);
  process.on('SIGTERM', async () => {
    clearInterval(timer);
    await worker.close();
    await flush();
    await redis.quit();
    process.exit(0);
  });
  await worker.waitUntilReady();
  await awaitGo();
  worker.run();
} else {
  console.error('role must be produce, latency or work but was ' + role);
  process.exit(2);
}
