'use strict';
// The network side of the UrlFetchApp stand-in: a worker thread that makes the real HTTP request while the
// script's thread waits on a shared flag, so the script sees a synchronous fetch as in Apps Script.
const { workerData } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');

const { flag, port } = workerData;
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function closedPort() {
  // A port nothing listens on: what a request to an intake that is down meets (connection refused).
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
}

function fetch(request) {
  return new Promise((resolve) => {
    const url = new URL(request.url);
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(url, {
      method: request.method, headers: request.headers, agent: agents[url.protocol], timeout: request.timeoutMs,
    }, (incoming) => {
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk));
      incoming.on('end', () => {
        // Header names as the server wrote them: the script must read them whatever their case.
        const headers = {};
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
          headers[incoming.rawHeaders[i]] = incoming.rawHeaders[i + 1];
        }
        resolve({ status: incoming.statusCode, headers, body: Buffer.concat(chunks).toString('base64') });
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('Timeout')));
    outgoing.on('error', (error) => resolve({ error: `${error.code || error.message}` }));
    outgoing.end(Buffer.from(request.body, 'base64'));
  });
}

port.on('message', async (request) => {
  try {
    if (request.kind === 'closed-port') {
      reply({ port: await closedPort() });
    } else if (request.kind === 'many') {
      // UrlFetchApp.fetchAll: the requests go out together.
      reply({ answers: await Promise.all(request.requests.map(fetch)) });
    } else {
      reply(await fetch(request));
    }
  } catch (error) {
    reply({ error: String(error) });
  }
});
