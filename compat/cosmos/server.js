'use strict';
// A local Cosmos DB SQL-API endpoint for the Cosmos store adapter tests: @vercel/cosmosdb-server (in memory)
// behind a thin request filter that fixes what the Java SDK (gateway mode) needs and the server lacks.
// Usage: node server.js --port <port> [--cert <cert.pem> --key <key.pem>]   (plain HTTP without --cert)
// Prints "listening <port>" once it accepts requests; stops on SIGTERM/SIGINT.
const fs = require('fs');
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
  let body = '';
  req.setEncoding('utf8');
  req.on('data', chunk => { body += chunk; });
  req.on('end', () => {
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
  if (String(req.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() === 'true') {
    answerQueryPlan(req, res);
    return;
  }
  // Cosmos returns etags quoted and compares If-Match with the quotes; this server keeps them bare.
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string' && ifMatch.length >= 2 && ifMatch.startsWith('"') && ifMatch.endsWith('"')) {
    req.headers['if-match'] = ifMatch.slice(1, -1);
  }
  if (req.method === 'GET' && POINT_READ.test(req.url.split('?')[0])) {
    notFoundForMissingPointRead(res);
  }
  handler(req, res);
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write('listening ' + server.address().port + '\n');
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
