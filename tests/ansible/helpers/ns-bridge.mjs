// Runs inside a network namespace: forwards a Unix socket (visible from the host, since Unix
// sockets live in the filesystem) to 127.0.0.1:<port> of that namespace, so the test can call
// an HTTP API that only listens on the namespace's loopback.
import { connect, createServer } from "node:net";

const [socketPath, port] = process.argv.slice(2);
const server = createServer((client) => {
  const upstream = connect(Number(port), "127.0.0.1");
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", end);
  upstream.on("error", end);
});
server.listen(socketPath, () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
