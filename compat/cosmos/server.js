'use strict';
// A local Cosmos DB SQL-API endpoint for the Cosmos store adapter tests: @vercel/cosmosdb-server (in memory)
// behind a thin request filter that fixes what the Java SDK (gateway mode) needs and the server lacks.
// Usage: node server.js --port <port> [--cert <cert.pem> --key <key.pem>] [--aad-introspect <url>]
//   (plain HTTP without --cert)
// Prints "listening <port>" once it accepts requests; stops on SIGTERM/SIGINT.
//
// Test-only additions, neither of which Cosmos DB has (see the two sections at the end):
//   - faults: /_faults answers chosen item requests with 429, 503 or 408, as a throttled or failing account would;
//   - --aad-introspect: the account accepts Microsoft Entra tokens only (key authentication disabled), checking each
//     token with the given URL (ManagedIdentityTestEndpoint's introspection).
const fs = require('fs');
const http = require('http');
const { createHttpServer, createHttpsServer } = require('@vercel/cosmosdb-server');

function argument(name) {
  const index = process.argv.indexOf('--' + name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(argument('port') || 0);
const cert = argument('cert');
const server = cert
  ? createHttpsServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(argument('key')) })
  : createHttpServer();

// The Java SDK asks for a query plan before every query; the server has none. A single range with nothing to
// reorder or aggregate makes the SDK pass the query through to the server, which runs ORDER BY and TOP itself.
function answerQueryPlan(req, res) {
  readBody(req, body => {
    let query = '';
    try {
      query = JSON.parse(body).query || '';
    } catch (e) {
      // an unparsable body gets the plain plan; the query itself then fails on the server
    }
    const plan = {
      partitionedQueryExecutionInfoVersion: 2,
      queryInfo: {
        distinctType: 'None', top: null, offset: null, limit: null, orderBy: [], orderByExpressions: [],
        groupByExpressions: [], groupByAliases: [], aggregates: [], groupByAliasToAggregateType: {},
        rewrittenQuery: '', hasSelectValue: /^\s*SELECT\s+(TOP\s+\S+\s+)?VALUE\b/i.test(query),
        hasNonStreamingOrderBy: false
      },
      queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }]
    };
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-ms-request-charge', '1');
    res.end(JSON.stringify(plan));
  });
}

// A point read of a missing item makes the server fail with 500 (it reads a field of `undefined`); Cosmos
// answers 404, which the SDK and the adapters rely on.
function notFoundForMissingPointRead(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (res.statusCode === 500) {
      res.statusCode = 404;
      return end(JSON.stringify({ code: 'NotFound', message: 'Entity with the specified id does not exist in the system.' }));
    }
    return end(chunk, ...rest);
  };
}

const POINT_READ = /^\/dbs\/[^/]+\/colls\/[^/]+\/docs\/[^/]+\/?$/;
const [handler] = server.listeners('request');
server.removeAllListeners('request');
server.on('request', (req, res) => {
  const path = req.url.split('?')[0];
  if (path === FAULTS_PATH) {
    manageFaults(req, res);
    return;
  }
  if (introspectUrl) {
    authorizeWithEntraToken(req, res, () => serve(req, res, path));
    return;
  }
  serve(req, res, path);
});

function serve(req, res, path) {
  const fault = matchingFault(req, path);
  if (fault) {
    answerFault(res, fault);
    return;
  }
  if (String(req.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() === 'true') {
    answerQueryPlan(req, res);
    return;
  }
  // Cosmos returns etags quoted and compares If-Match with the quotes; this server keeps them bare.
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string' && ifMatch.length >= 2 && ifMatch.startsWith('"') && ifMatch.endsWith('"')) {
    req.headers['if-match'] = ifMatch.slice(1, -1);
  }
  if (req.method === 'GET' && POINT_READ.test(path)) {
    notFoundForMissingPointRead(res);
  }
  queryOfOneRange(req);
  handler(req, res);
}

// A query sent to one partition key range (x-ms-documentdb-partitionkeyrangeid) without a partition key reads that
// whole physical partition, which Cosmos allows whatever the query's filter: it is how the SDK runs each range of a
// cross-partition query, and a query scoped to a feed range. The server refuses queries whose filter does not name
// the partition key unless they are marked cross-partition; its one range ("0", "" to "FF") holds every item, so such
// a query is marked so.
function queryOfOneRange(req) {
  const isQuery = String(req.headers['x-ms-documentdb-isquery']).toLowerCase() === 'true';
  if (req.method === 'POST' && isQuery && req.headers['x-ms-documentdb-partitionkeyrangeid'] !== undefined
      && req.headers['x-ms-documentdb-partitionkey'] === undefined) {
    req.headers['x-ms-documentdb-query-enablecrosspartition'] = 'true';
  }
}

// ---- Faults ------------------------------------------------------------------------------------------------------
// POST /_faults {"status": 429|503|408, "collection": "<container>", "method": "POST", "count": N,
//                "retryAfterMs": 50}
//   From now on, the next N requests for items of that container (point operations, queries, batches: paths under
//   /dbs/<db>/colls/<container>/docs), with that method if given, are answered with the status instead of being
//   served, so nothing is written. Without "count", every such request until the rule is removed. A 429 carries
//   x-ms-retry-after-ms (retryAfterMs, default 50) and substatus 3200, as Cosmos's throttling does. Answers 201 {id}.
// GET /_faults     the rules, each with "answered": how many requests it has answered so far.
// DELETE /_faults  removes every rule.
// Rules are tried in the order they were added; a used-up rule stays listed with "remaining": 0.
const FAULTS_PATH = '/_faults';
const ITEMS = /^\/dbs\/[^/]+\/colls\/([^/]+)\/docs(\/|$)/;
const FAULT_BODIES = {
  429: { code: 'TooManyRequests', message: 'Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later.' },
  503: { code: 'ServiceUnavailable', message: 'The service is currently unavailable (injected by the test server).' },
  408: { code: 'RequestTimeout', message: 'The request timed out (injected by the test server).' }
};
let faults = [];
let nextFaultId = 1;

function manageFaults(req, res) {
  if (req.method === 'GET') {
    sendJson(res, 200, { faults });
  } else if (req.method === 'DELETE') {
    faults = [];
    res.statusCode = 204;
    res.end();
  } else if (req.method === 'POST') {
    readBody(req, body => {
      let rule;
      try {
        rule = JSON.parse(body);
      } catch (e) {
        sendJson(res, 400, { message: 'The body is not JSON.' });
        return;
      }
      if (!FAULT_BODIES[rule.status]) {
        sendJson(res, 400, { message: 'status must be one of ' + Object.keys(FAULT_BODIES).join(', ') });
        return;
      }
      const fault = {
        id: nextFaultId++, status: rule.status, collection: rule.collection || null, method: rule.method || null,
        remaining: Number.isInteger(rule.count) ? rule.count : null,
        retryAfterMs: Number.isInteger(rule.retryAfterMs) ? rule.retryAfterMs : 50, answered: 0
      };
      faults.push(fault);
      sendJson(res, 201, fault);
    });
  } else {
    sendJson(res, 405, { message: 'GET, POST or DELETE' });
  }
}

function matchingFault(req, path) {
  const items = ITEMS.exec(path);
  if (!items) {
    return null;
  }
  const collection = decodeURIComponent(items[1]);
  const fault = faults.find(f => f.remaining !== 0 && (f.collection === null || f.collection === collection)
    && (f.method === null || f.method === req.method));
  if (fault) {
    fault.answered++;
    if (fault.remaining !== null) {
      fault.remaining--;
    }
  }
  return fault;
}

function answerFault(res, fault) {
  res.statusCode = fault.status;
  res.setHeader('x-ms-activity-id', '00000000-0000-0000-0000-' + String(fault.id).padStart(12, '0'));
  res.setHeader('x-ms-request-charge', '0');
  if (fault.status === 429) {
    res.setHeader('x-ms-retry-after-ms', String(fault.retryAfterMs));
    res.setHeader('x-ms-substatus', '3200');
  }
  sendJson(res, fault.status, FAULT_BODIES[fault.status]);
}

// ---- Microsoft Entra tokens only -----------------------------------------------------------------------------------
// With --aad-introspect <url>, every request must carry `Authorization: type=aad&ver=1.0&sig=<token>` (URL-encoded,
// as the SDK sends it) with a token that GET <url>?token=<token> calls active, issued for this endpoint's own
// origin (http://<host>, the audience the SDK asks for) or https://cosmos.azure.com. Anything else, a key signature
// included, gets 401 as from an account with local (key) authentication disabled.
const introspectUrl = argument('aad-introspect');

function authorizeWithEntraToken(req, res, next) {
  const fields = new URLSearchParams(decodeURIComponent(String(req.headers.authorization || '')));
  if (fields.get('type') !== 'aad') {
    unauthorized(res, 'Local Authorization is disabled. Use an AAD token to authorize all requests.');
    return;
  }
  const token = fields.get('sig');
  http.get(introspectUrl + '?token=' + encodeURIComponent(token || ''), answer => {
    readBody(answer, body => {
      let verdict = {};
      try {
        verdict = JSON.parse(body);
      } catch (e) {
        // not active
      }
      const host = String(req.headers.host || '').replace(/:\d+$/, '');
      const audiences = ['http://' + host, 'https://cosmos.azure.com'];
      if (answer.statusCode === 200 && verdict.active === true && audiences.includes(verdict.resource)) {
        next();
      } else {
        unauthorized(res, 'The AAD token is not valid for this account.');
      }
    });
  }).on('error', () => unauthorized(res, 'The AAD token could not be checked.'));
}

function unauthorized(res, message) {
  res.setHeader('x-ms-substatus', '5301');
  sendJson(res, 401, { code: 'Unauthorized', message });
}

function readBody(stream, done) {
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', chunk => { body += chunk; });
  stream.on('end', () => done(body));
}

function sendJson(res, status, value) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(value));
}

server.listen(port, '127.0.0.1', () => {
  process.stdout.write('listening ' + server.address().port + '\n');
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
