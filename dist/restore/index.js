import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 770:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

module.exports = __nccwpck_require__(218);


/***/ }),

/***/ 218:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var net = __nccwpck_require__(278);
var tls = __nccwpck_require__(756);
var http = __nccwpck_require__(611);
var https = __nccwpck_require__(692);
var events = __nccwpck_require__(434);
var assert = __nccwpck_require__(613);
var util = __nccwpck_require__(23);


exports.httpOverHttp = httpOverHttp;
exports.httpsOverHttp = httpsOverHttp;
exports.httpOverHttps = httpOverHttps;
exports.httpsOverHttps = httpsOverHttps;


function httpOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  return agent;
}

function httpsOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}

function httpOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  return agent;
}

function httpsOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}


function TunnelingAgent(options) {
  var self = this;
  self.options = options || {};
  self.proxyOptions = self.options.proxy || {};
  self.maxSockets = self.options.maxSockets || http.Agent.defaultMaxSockets;
  self.requests = [];
  self.sockets = [];

  self.on('free', function onFree(socket, host, port, localAddress) {
    var options = toOptions(host, port, localAddress);
    for (var i = 0, len = self.requests.length; i < len; ++i) {
      var pending = self.requests[i];
      if (pending.host === options.host && pending.port === options.port) {
        // Detect the request to connect same origin server,
        // reuse the connection.
        self.requests.splice(i, 1);
        pending.request.onSocket(socket);
        return;
      }
    }
    socket.destroy();
    self.removeSocket(socket);
  });
}
util.inherits(TunnelingAgent, events.EventEmitter);

TunnelingAgent.prototype.addRequest = function addRequest(req, host, port, localAddress) {
  var self = this;
  var options = mergeOptions({request: req}, self.options, toOptions(host, port, localAddress));

  if (self.sockets.length >= this.maxSockets) {
    // We are over limit so we'll add it to the queue.
    self.requests.push(options);
    return;
  }

  // If we are under maxSockets create a new one.
  self.createSocket(options, function(socket) {
    socket.on('free', onFree);
    socket.on('close', onCloseOrRemove);
    socket.on('agentRemove', onCloseOrRemove);
    req.onSocket(socket);

    function onFree() {
      self.emit('free', socket, options);
    }

    function onCloseOrRemove(err) {
      self.removeSocket(socket);
      socket.removeListener('free', onFree);
      socket.removeListener('close', onCloseOrRemove);
      socket.removeListener('agentRemove', onCloseOrRemove);
    }
  });
};

TunnelingAgent.prototype.createSocket = function createSocket(options, cb) {
  var self = this;
  var placeholder = {};
  self.sockets.push(placeholder);

  var connectOptions = mergeOptions({}, self.proxyOptions, {
    method: 'CONNECT',
    path: options.host + ':' + options.port,
    agent: false,
    headers: {
      host: options.host + ':' + options.port
    }
  });
  if (options.localAddress) {
    connectOptions.localAddress = options.localAddress;
  }
  if (connectOptions.proxyAuth) {
    connectOptions.headers = connectOptions.headers || {};
    connectOptions.headers['Proxy-Authorization'] = 'Basic ' +
        new Buffer(connectOptions.proxyAuth).toString('base64');
  }

  debug('making CONNECT request');
  var connectReq = self.request(connectOptions);
  connectReq.useChunkedEncodingByDefault = false; // for v0.6
  connectReq.once('response', onResponse); // for v0.6
  connectReq.once('upgrade', onUpgrade);   // for v0.6
  connectReq.once('connect', onConnect);   // for v0.7 or later
  connectReq.once('error', onError);
  connectReq.end();

  function onResponse(res) {
    // Very hacky. This is necessary to avoid http-parser leaks.
    res.upgrade = true;
  }

  function onUpgrade(res, socket, head) {
    // Hacky.
    process.nextTick(function() {
      onConnect(res, socket, head);
    });
  }

  function onConnect(res, socket, head) {
    connectReq.removeAllListeners();
    socket.removeAllListeners();

    if (res.statusCode !== 200) {
      debug('tunneling socket could not be established, statusCode=%d',
        res.statusCode);
      socket.destroy();
      var error = new Error('tunneling socket could not be established, ' +
        'statusCode=' + res.statusCode);
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    if (head.length > 0) {
      debug('got illegal response body from proxy');
      socket.destroy();
      var error = new Error('got illegal response body from proxy');
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    debug('tunneling connection has established');
    self.sockets[self.sockets.indexOf(placeholder)] = socket;
    return cb(socket);
  }

  function onError(cause) {
    connectReq.removeAllListeners();

    debug('tunneling socket could not be established, cause=%s\n',
          cause.message, cause.stack);
    var error = new Error('tunneling socket could not be established, ' +
                          'cause=' + cause.message);
    error.code = 'ECONNRESET';
    options.request.emit('error', error);
    self.removeSocket(placeholder);
  }
};

TunnelingAgent.prototype.removeSocket = function removeSocket(socket) {
  var pos = this.sockets.indexOf(socket)
  if (pos === -1) {
    return;
  }
  this.sockets.splice(pos, 1);

  var pending = this.requests.shift();
  if (pending) {
    // If we have pending requests and a socket gets closed a new one
    // needs to be created to take over in the pool for the one that closed.
    this.createSocket(pending, function(socket) {
      pending.request.onSocket(socket);
    });
  }
};

function createSecureSocket(options, cb) {
  var self = this;
  TunnelingAgent.prototype.createSocket.call(self, options, function(socket) {
    var hostHeader = options.request.getHeader('host');
    var tlsOptions = mergeOptions({}, self.options, {
      socket: socket,
      servername: hostHeader ? hostHeader.replace(/:.*$/, '') : options.host
    });

    // 0 is dummy port for v0.6
    var secureSocket = tls.connect(0, tlsOptions);
    self.sockets[self.sockets.indexOf(socket)] = secureSocket;
    cb(secureSocket);
  });
}


function toOptions(host, port, localAddress) {
  if (typeof host === 'string') { // since v0.10
    return {
      host: host,
      port: port,
      localAddress: localAddress
    };
  }
  return host; // for v0.11 or later
}

function mergeOptions(target) {
  for (var i = 1, len = arguments.length; i < len; ++i) {
    var overrides = arguments[i];
    if (typeof overrides === 'object') {
      var keys = Object.keys(overrides);
      for (var j = 0, keyLen = keys.length; j < keyLen; ++j) {
        var k = keys[j];
        if (overrides[k] !== undefined) {
          target[k] = overrides[k];
        }
      }
    }
  }
  return target;
}


var debug;
if (process.env.NODE_DEBUG && /\btunnel\b/.test(process.env.NODE_DEBUG)) {
  debug = function() {
    var args = Array.prototype.slice.call(arguments);
    if (typeof args[0] === 'string') {
      args[0] = 'TUNNEL: ' + args[0];
    } else {
      args.unshift('TUNNEL:');
    }
    console.error.apply(console, args);
  }
} else {
  debug = function() {};
}
exports.debug = debug; // for test


/***/ }),

/***/ 474:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(931);
/* harmony import */ var _runner_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(988);


// The restore action's entry point (restore/action.yml), bundled to dist/restore/index.js.
await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .runRestore */ .Y)().catch((error) => {
    process.exitCode = 1;
    process.stdout.write((0,_runner_js__WEBPACK_IMPORTED_MODULE_1__/* .commandLine */ .ay)('error', `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`));
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 931:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Y: () => (/* binding */ runRestore)
});

// UNUSED EXPORTS: parseRestoreInputs

;// CONCATENATED MODULE: ./src/wpengine/errors.ts
/** A request to the WP Engine API that failed for good; `message` is one line ready for the log. */
class WpeApiError extends Error {
    detail;
    constructor(message, detail) {
        super(message);
        this.name = 'WpeApiError';
        this.detail = detail;
    }
    get status() {
        return this.detail.status;
    }
}
/** The step was cancelled (SIGINT/SIGTERM from the runner) while a request or a wait was under way. */
class CancelledError extends Error {
    constructor() {
        super('The step was cancelled');
        this.name = 'CancelledError';
    }
}

;// CONCATENATED MODULE: ./src/backup/get-backup.ts

/** The backup, or an error that names it and its install when WP Engine does not know it there. */
async function getBackupOf(client, install, backupId) {
    try {
        return await client.getBackup(install, backupId);
    }
    catch (error) {
        if (error instanceof WpeApiError && error.status === 404) {
            throw new WpeApiError(`Backup ${backupId} was not found on install ${install.name}. Check backup-id, and that the backup belongs to this install.`, error.detail);
        }
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/log-safety.ts
const MAX_TEXT = 500;
/**
 * Makes text from the API or from users safe to print in a workflow log: control characters
 * (newlines, ANSI escapes) are removed so it stays on one line, every `::` is broken up so it
 * cannot start a workflow command, and long text is cut.
 */
function safeText(text, max = MAX_TEXT) {
    const oneLine = text
        .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
        .replace(/:(?=:)/g, ': ')
        .trim();
    return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

;// CONCATENATED MODULE: ./src/backup/pages.ts
/**
 * Every item of an offset-paginated list. The next offset is read from `next` but the URL itself
 * is never followed: requests stay on the configured api-url, whatever host `next` names.
 */
async function* allItems(fetchPage) {
    let offset = 0;
    for (;;) {
        const page = await fetchPage(offset);
        const { results } = page;
        yield* results;
        const next = nextOffset(page.next);
        // An offset that does not move forward would loop for ever; an empty page ends the list too.
        if (next === undefined || next <= offset || results.length === 0)
            return;
        offset = next;
    }
}
function nextOffset(next) {
    if (!next)
        return undefined;
    try {
        const value = new URL(next, 'https://placeholder.invalid').searchParams.get('offset');
        return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/backup/resolve-install.ts



const ACCESS_HINT = 'and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)';
/** `Install mysite (294deacc-…), production`: the log line that says which install was found. */
function describeInstall(install) {
    return `Install ${install.name} (${install.id})${install.environment ? `, ${safeText(install.environment, 40)}` : ''}`;
}
/**
 * Finds every install: each ID with one GET, and all names in one pass through GET /installs (the
 * API has no name filter), which stops as soon as every name is found. One install that cannot be
 * found does not stop the others. Results come in the order of `refs`.
 */
async function resolveInstalls(client, refs) {
    const names = refs.flatMap((ref) => (ref.kind === 'name' ? [ref.name] : []));
    const [byName, byId] = await Promise.all([
        findByNames(client, names),
        Promise.all(refs.map((ref) => (ref.kind === 'id' ? resolveId(client, ref) : undefined)))
    ]);
    return refs.map((ref, index) => (ref.kind === 'id' ? byId[index] : nameResolution(ref, byName)));
}
async function resolveId(client, ref) {
    try {
        return { ref, install: await getInstallById(client, ref.id) };
    }
    catch (error) {
        return { ref, error };
    }
}
function nameResolution(ref, byName) {
    if (byName.error !== undefined)
        return { ref, error: byName.error };
    const install = byName.found.get(ref.name);
    return install
        ? { ref, install }
        : {
            ref,
            error: new Error(`No install named '${ref.name}' is visible to this API user (${byName.searched} installs searched). Check the install input ${ACCESS_HINT}.`)
        };
}
async function getInstallById(client, id) {
    try {
        return await client.getInstall(id);
    }
    catch (error) {
        if (error instanceof WpeApiError && error.status === 404) {
            throw new WpeApiError(`Install ${id} was not found. Check the install input ${ACCESS_HINT}.`, error.detail);
        }
        throw error;
    }
}
async function findByNames(client, names) {
    const wanted = new Set(names);
    const search = { found: new Map(), searched: 0 };
    if (wanted.size === 0)
        return search;
    try {
        for await (const install of allItems((offset) => client.listInstalls(offset))) {
            search.searched++;
            if (wanted.has(install.name))
                search.found.set(install.name, install);
            if (search.found.size === wanted.size)
                break;
        }
    }
    catch (error) {
        search.error = error;
    }
    return search;
}

;// CONCATENATED MODULE: ./src/wpengine/types.ts
// Shapes from openapi.json (Swagger 2.0, v1.17.0), limited to the fields this action reads.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** WP Engine's rule for install names (Installation.name). */
const INSTALL_NAME = /^[a-z][a-z0-9]{2,13}$/;
/** The statuses the docs define; `initiated` is the deprecated name of `in_progress`. */
const BACKUP_STATUSES = ['requested', 'in_progress', 'completed', 'aborted'];
/** The states the docs define for an archive (a downloadable zip of a backup). */
const ARCHIVE_STATES = (/* unused pure expression or super */ null && (['requested', 'in_progress', 'completed', 'aborted']));

;// CONCATENATED MODULE: ./src/backup/status.ts

/** The documented status, with the deprecated `initiated` read as `in_progress`; undefined for anything else. */
function normalizeStatus(status) {
    if (status === 'initiated')
        return 'in_progress';
    return BACKUP_STATUSES.includes(status) ? status : undefined;
}
function isFinal(status) {
    return status === 'completed' || status === 'aborted';
}

;// CONCATENATED MODULE: ./src/clock.ts
const systemClock = {
    now: () => Date.now(),
    sleep: (ms, signal) => new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(signal.reason);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, Math.max(0, ms));
        signal?.addEventListener('abort', onAbort, { once: true });
    })
};

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/duration.ts
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 };
/**
 * Parses `90s`, `30m`, `1h`, `1h30m`, `1h30m15s` or bare seconds (`300`) into milliseconds.
 * Returns undefined for anything else, so the caller can name the input in its error.
 */
function parseDuration(text) {
    const value = text.trim().toLowerCase();
    if (/^\d+$/.test(value))
        return Number(value) * UNIT_MS.s;
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
    if (!match || value === '')
        return undefined;
    const [, h = '0', m = '0', s = '0'] = match;
    return Number(h) * UNIT_MS.h + Number(m) * UNIT_MS.m + Number(s) * UNIT_MS.s;
}
/** `95000` → `1m 35s`; `3600000` → `1h 0m 0s`; under a second → `0s`. */
function formatDuration(ms) {
    const total = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h > 0)
        return `${h}h ${m}m ${s}s`;
    if (m > 0)
        return `${m}m ${s}s`;
    return `${s}s`;
}

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_namespaceObject);
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_namespaceObject);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/proxy.js
function getProxyUrl(reqUrl) {
    const usingSsl = reqUrl.protocol === 'https:';
    if (checkBypass(reqUrl)) {
        return undefined;
    }
    const proxyVar = (() => {
        if (usingSsl) {
            return process.env['https_proxy'] || process.env['HTTPS_PROXY'];
        }
        else {
            return process.env['http_proxy'] || process.env['HTTP_PROXY'];
        }
    })();
    if (proxyVar) {
        try {
            return new DecodedURL(proxyVar);
        }
        catch (_a) {
            if (!proxyVar.startsWith('http://') && !proxyVar.startsWith('https://'))
                return new DecodedURL(`http://${proxyVar}`);
        }
    }
    else {
        return undefined;
    }
}
function checkBypass(reqUrl) {
    if (!reqUrl.hostname) {
        return false;
    }
    const reqHost = reqUrl.hostname;
    if (isLoopbackAddress(reqHost)) {
        return true;
    }
    const noProxy = process.env['no_proxy'] || process.env['NO_PROXY'] || '';
    if (!noProxy) {
        return false;
    }
    // Determine the request port
    let reqPort;
    if (reqUrl.port) {
        reqPort = Number(reqUrl.port);
    }
    else if (reqUrl.protocol === 'http:') {
        reqPort = 80;
    }
    else if (reqUrl.protocol === 'https:') {
        reqPort = 443;
    }
    // Format the request hostname and hostname with port
    const upperReqHosts = [reqUrl.hostname.toUpperCase()];
    if (typeof reqPort === 'number') {
        upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
    }
    // Compare request host against noproxy
    for (const upperNoProxyItem of noProxy
        .split(',')
        .map(x => x.trim().toUpperCase())
        .filter(x => x)) {
        if (upperNoProxyItem === '*' ||
            upperReqHosts.some(x => x === upperNoProxyItem ||
                x.endsWith(`.${upperNoProxyItem}`) ||
                (upperNoProxyItem.startsWith('.') &&
                    x.endsWith(`${upperNoProxyItem}`)))) {
            return true;
        }
    }
    return false;
}
function isLoopbackAddress(host) {
    const hostLower = host.toLowerCase();
    return (hostLower === 'localhost' ||
        hostLower.startsWith('127.') ||
        hostLower.startsWith('[::1]') ||
        hostLower.startsWith('[0:0:0:0:0:0:0:1]'));
}
class DecodedURL extends URL {
    constructor(url, base) {
        super(url, base);
        this._decodedUsername = decodeURIComponent(super.username);
        this._decodedPassword = decodeURIComponent(super.password);
    }
    get username() {
        return this._decodedUsername;
    }
    get password() {
        return this._decodedPassword;
    }
}
//# sourceMappingURL=proxy.js.map
// EXTERNAL MODULE: ./node_modules/tunnel/index.js
var tunnel = __nccwpck_require__(770);
;// CONCATENATED MODULE: ./src/wpengine/proxy.ts






// Every variable http-client reads, in its order of precedence (lowercase first).
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];
/** A proxy variable that is set but cannot be used; `message` is one line for the log, without the proxy's password. */
class ProxyConfigError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ProxyConfigError';
    }
}
/**
 * Runs `fn` with process.env's proxy variables taken from `env`: http-client reads process.env only.
 * `fn` is synchronous, so nothing else can run while they are swapped.
 */
function withProxyEnv(env, fn) {
    if (env === process.env)
        return fn();
    const saved = PROXY_VARIABLES.map((name) => [name, process.env[name]]);
    const apply = (values) => {
        for (const [name, value] of values) {
            if (value === undefined)
                delete process.env[name];
            else
                process.env[name] = value;
        }
    };
    apply(PROXY_VARIABLES.map((name) => [name, env[name]]));
    try {
        return fn();
    }
    finally {
        apply(saved);
    }
}
/** True for plain http to 127.0.0.0/8, localhost or [::1]: never proxied, whatever the variables say. */
function loopbackHttp(url) {
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}
/** The variable http-client takes the proxy from for this URL, when one is set (an empty value counts as unset, as there). */
function proxyVariable(url, env) {
    const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    for (const name of names) {
        const value = env[name];
        if (value)
            return { name, value };
    }
    return undefined;
}
/** The value with everything up to its last `@` (a user name and password) hidden, safe for the log. */
function redacted(value) {
    const at = value.lastIndexOf('@');
    if (at < 0)
        return safeText(value, 200);
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
    return safeText(`${scheme}***@${value.slice(at + 1)}`, 200);
}
/**
 * Why a request to `url` cannot go through the proxy its variables name, or undefined when it can,
 * or when no proxy applies (none set, NO_PROXY, loopback). The variable is parsed the way
 * http-client's getProxyUrl parses it, but where it would give up silently and connect directly,
 * this says so. Meant to be checked up front too, before any request.
 */
function proxyProblem(url, env) {
    if (loopbackHttp(url) || withProxyEnv(env, () => checkBypass(url)))
        return undefined;
    const variable = proxyVariable(url, env);
    if (!variable)
        return undefined;
    const { name, value } = variable;
    const bad = (why) => `The proxy variable ${name} is set to '${redacted(value)}', which ${why}. Set it to a URL such as http://proxy.example.com:3128, or unset it.`;
    let proxy;
    try {
        proxy = new URL(value);
    }
    catch {
        // http-client's fallback: a bare host:port is taken as http://host:port; anything else it ignores.
        if (value.startsWith('http://') || value.startsWith('https://'))
            return bad('is not a valid URL');
        try {
            proxy = new URL(`http://${value}`);
        }
        catch {
            return bad('is not a valid URL');
        }
    }
    // `proxy.example.com:3128` parses as a URL with the scheme `proxy.example.com:`; http-client then goes direct.
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
        return bad('is not an http:// or https:// URL');
    if (!proxy.hostname)
        return bad('names no host');
    try {
        decodeURIComponent(proxy.username);
        decodeURIComponent(proxy.password);
    }
    catch {
        return bad('has a user name or password that is not valid percent-encoding');
    }
    return undefined;
}
function isTunnel(agent) {
    return 'proxyOptions' in agent && Array.isArray(agent.sockets);
}
/** A new agent for requests to `url`, through `proxy` if given: what http-client's HttpClient.getAgent builds. */
function newAgent(url, proxy, keepAlive) {
    // HttpClient with request options takes http.globalAgent's limit when none is given.
    const maxSockets = (external_node_http_default()).globalAgent.maxSockets;
    const usingSsl = url.protocol === 'https:';
    if (!proxy?.hostname)
        return usingSsl ? new (external_node_https_default()).Agent({ keepAlive, maxSockets }) : new (external_node_http_default()).Agent({ keepAlive, maxSockets });
    const options = {
        maxSockets,
        keepAlive,
        proxy: {
            // getProxyUrl's URL gives the user name and password percent-decoded.
            ...(proxy.username || proxy.password ? { proxyAuth: `${proxy.username}:${proxy.password}` } : {}),
            host: proxy.hostname,
            // As http-client passes it: the URL's port string, '' for the scheme's default.
            port: proxy.port
        }
    };
    const overHttps = proxy.protocol === 'https:';
    if (usingSsl)
        return overHttps ? tunnel.httpsOverHttps(options) : tunnel.httpsOverHttp(options);
    return overHttps ? tunnel.httpOverHttps(options) : tunnel.httpOverHttp(options);
}
/**
 * The agents for one step's requests: one per protocol and route (direct, or each proxy; an
 * HttpClient keeps only one of each kind, whatever the protocol or proxy, which would mix them up).
 * destroy() lets go of every socket, tunnels included.
 */
class ProxyAgents {
    env;
    keepAlive;
    agents = new Map();
    // CONNECT requests the tunnelling agents sent, so that one still waiting for the proxy can be ended too.
    connects = new Set();
    constructor(env, keepAlive) {
        this.env = env;
        this.keepAlive = keepAlive;
    }
    /** The agent for one request to `url`; throws a ProxyConfigError when its proxy variable is unusable. */
    agentFor(url) {
        const problem = proxyProblem(url, this.env);
        if (problem)
            throw new ProxyConfigError(problem);
        // Plain http to loopback is sent direct by this rule, not only by http-client's bypass.
        const proxy = loopbackHttp(url) ? undefined : withProxyEnv(this.env, () => getProxyUrl(url));
        const key = `${url.protocol} ${proxy?.hostname ? proxy.href : 'direct'}`;
        let agent = this.agents.get(key);
        if (!agent) {
            agent = this.track(newAgent(url, proxy, this.keepAlive));
            this.agents.set(key, agent);
        }
        return agent;
    }
    track(agent) {
        if (isTunnel(agent)) {
            const request = agent.request;
            agent.request = (options) => {
                for (const pending of this.connects)
                    if (pending.socket?.destroyed)
                        this.connects.delete(pending);
                const connect = request(options);
                this.connects.add(connect);
                return connect;
            };
        }
        return agent;
    }
    /** Closes every connection, idle, in use or still being tunnelled, so that the process can exit. */
    destroy() {
        for (const connect of this.connects)
            connect.destroy();
        this.connects.clear();
        for (const agent of this.agents.values()) {
            if (isTunnel(agent)) {
                agent.requests.length = 0;
                for (const socket of [...agent.sockets])
                    socket.destroy?.();
            }
            else {
                agent.destroy();
            }
        }
        this.agents.clear();
    }
}

;// CONCATENATED MODULE: ./src/wpengine/http.ts



/** A request that got no complete answer. `sent` is false only when the request surely never left. */
class NetworkError extends Error {
    code;
    sent;
    constructor(message, code, sent) {
        super(message);
        this.name = 'NetworkError';
        this.code = code;
        this.sent = sent;
    }
}
// The API answers in JSON of a few kilobytes; anything past this is not an answer we can use.
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * A Send over node:http and node:https, with keep-alive so that a long wait reuses one connection.
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lowercase forms) from `env` are honoured as
 * @actions/http-client honours them, whatever the Node version (see proxy.ts), as self-hosted
 * runners behind a corporate proxy need. A proxy variable that cannot be used fails the request
 * with a ProxyConfigError, which is not a NetworkError: nothing was sent, and no retry can help.
 */
function createNodeSend(env = {}) {
    const agents = new ProxyAgents(env, true);
    const send = (request, signal) => new Promise((resolve, reject) => {
        const isHttps = request.url.protocol === 'https:';
        const agent = agents.agentFor(request.url);
        const headers = { ...request.headers };
        if (request.body !== undefined)
            headers['content-length'] = String(Buffer.byteLength(request.body));
        // Until the socket has connected (through the proxy's tunnel, if any), not one byte of the request can have reached the server.
        let connected = false;
        let settled = false;
        // Node reports an abort only once the request has a socket; a proxy that sits on CONNECT never gives it one.
        const onAbort = () => {
            req.destroy();
            fail(signal.reason);
        };
        const fail = (error) => {
            if (settled)
                return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            const err = error;
            if (signal.aborted) {
                const reason = signal.reason;
                // The attempt's own time limit ran out: report it like any other lost answer.
                if (reason instanceof DOMException && reason.name === 'TimeoutError') {
                    return reject(new NetworkError('no answer within the time limit', 'ETIMEDOUT', connected));
                }
                return reject(reason);
            }
            const tunnel = tunnelFailure(err);
            if (tunnel)
                return reject(new NetworkError(tunnel, 'EPROXY', connected));
            reject(new NetworkError(err.message, err.code ?? 'ECONNRESET', connected));
        };
        if (signal.aborted)
            return fail(signal.reason);
        const req = (isHttps ? (external_node_https_default()) : (external_node_http_default())).request(request.url, { method: request.method, headers, agent, signal });
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('socket', (socket) => {
            if (!socket.connecting)
                connected = true;
            else
                socket.once('connect', () => (connected = true));
        });
        req.on('error', fail);
        req.on('response', (res) => {
            const chunks = [];
            let size = 0;
            res.on('data', (chunk) => {
                size += chunk.length;
                if (size > MAX_BODY_BYTES) {
                    res.destroy();
                    fail(Object.assign(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`), { code: 'E_BODY_TOO_LARGE' }));
                    return;
                }
                chunks.push(chunk);
            });
            res.on('error', fail);
            res.on('close', () => {
                if (!res.complete)
                    return fail(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
                if (settled)
                    return;
                settled = true;
                signal.removeEventListener('abort', onAbort);
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
            });
        });
        req.end(request.body);
    });
    return Object.assign(send, {
        close() {
            agents.destroy();
        }
    });
}
/**
 * The proxy would not open a tunnel: the `tunnel` package reports that as ECONNRESET, which would
 * blame the API. The message names the proxy's answer or the cause, never the proxy's password.
 */
function tunnelFailure(error) {
    const match = /^tunneling socket could not be established, (?:statusCode=(\d+)|cause=(.*))$/s.exec(error.message);
    if (!match)
        return error.message === 'got illegal response body from proxy' ? 'the proxy answered CONNECT with a body' : undefined;
    return match[1] ? `the proxy refused the tunnel (HTTP ${match[1]})` : `could not reach the proxy: ${match[2]}`;
}

;// CONCATENATED MODULE: ./src/wpengine/retry.ts
// Retry policy modelled on the AWS SDK "standard" mode and Octokit's retry plugin:
// a classifier that knows which failures may pass and which POSTs may have taken effect,
// exponential backoff with full jitter, Retry-After as a floor, and a retry budget per step.
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
// Errors that no retry fixes: the certificate or the TLS setup is wrong.
const TLS_TRUST_FAILURE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;
function isTlsTrustFailure(code) {
    return TLS_TRUST_FAILURE.test(code);
}
function classify(method, outcome) {
    switch (outcome.kind) {
        case 'response': {
            const { status } = outcome;
            if (status >= 200 && status < 300)
                return 'success';
            if (!RETRYABLE_STATUSES.has(status))
                return 'fail';
            // A 429 is the rate limiter turning the request away before the API saw it.
            if (method === 'GET' || status === 429)
                return 'retry';
            return 'ambiguous';
        }
        case 'bad-response':
            return method === 'GET' ? 'retry' : 'ambiguous';
        case 'network':
            if (isTlsTrustFailure(outcome.code))
                return 'fail';
            return method === 'GET' || !outcome.sent ? 'retry' : 'ambiguous';
        case 'timeout':
            return method === 'GET' || !outcome.sent ? 'retry' : 'ambiguous';
    }
}
const DEFAULT_BACKOFF = { baseMs: 500, capMs: 20_000 };
/**
 * Full jitter ("Exponential Backoff and Jitter", AWS Architecture Blog): a uniform delay in
 * [0, min(cap, base·2^retry)). `retry` counts from 0 for the first retry.
 */
function backoffDelay(retry, random, options = DEFAULT_BACKOFF) {
    const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(retry, 30));
    return Math.floor(random() * ceiling);
}
/** Retry-After in milliseconds from `nowMs`: delta-seconds or an HTTP date; undefined if absent or invalid. */
function parseRetryAfter(value, nowMs) {
    if (value === undefined)
        return undefined;
    const text = value.trim();
    if (/^\d+$/.test(text))
        return Number(text) * 1000;
    if (!/[a-z]/i.test(text))
        return undefined;
    const date = Date.parse(text);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
/**
 * A step-wide retry quota, as in the AWS SDK standard retry mode: every retry spends tokens
 * (timeouts and connection failures more, since they are the costliest to repeat), every success
 * earns a little back. When the API is down for good, the step stops hammering it and fails.
 */
class RetryBudget {
    capacity;
    static RETRY_COST = 5;
    static TIMEOUT_COST = 10;
    tokens;
    constructor(capacity = 100) {
        this.capacity = capacity;
        this.tokens = capacity;
    }
    get available() {
        return this.tokens;
    }
    /** Takes the tokens for one retry and returns how many; undefined when the budget cannot pay. */
    tryAcquire(outcome) {
        const cost = outcome.kind === 'network' || outcome.kind === 'timeout' ? RetryBudget.TIMEOUT_COST : RetryBudget.RETRY_COST;
        if (cost > this.tokens)
            return undefined;
        this.tokens -= cost;
        return cost;
    }
    /** A request succeeded: return what its retries took, or one token when it needed none. */
    release(spent) {
        this.tokens = Math.min(this.capacity, this.tokens + (spent > 0 ? spent : 1));
    }
}

;// CONCATENATED MODULE: ./src/wpengine/semaphore.ts

/** At most `limit` holders at once; the rest queue in arrival order. */
class Semaphore {
    limit;
    active = 0;
    queue = [];
    constructor(limit) {
        this.limit = limit;
        if (!(limit >= 1))
            throw new RangeError(`A semaphore needs a limit of at least 1, not ${limit}`);
    }
    /** Resolves once a slot is free; rejects with CancelledError if the signal is aborted while queued. */
    acquire(signal) {
        if (signal?.aborted)
            return Promise.reject(new CancelledError());
        if (this.active < this.limit) {
            this.active++;
            return Promise.resolve();
        }
        return new Promise((resolve, reject) => {
            const grant = () => {
                signal?.removeEventListener('abort', onAbort);
                this.active++;
                resolve();
            };
            const onAbort = () => {
                this.queue.splice(this.queue.indexOf(grant), 1);
                reject(new CancelledError());
            };
            this.queue.push(grant);
            signal?.addEventListener('abort', onAbort, { once: true });
        });
    }
    release() {
        this.active--;
        this.queue.shift()?.();
    }
}

;// CONCATENATED MODULE: ./src/wpengine/shapes.ts

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value) => value === undefined || value === null || typeof value === 'string';
const isBackup = (value) => isObject(value) &&
    typeof value.id === 'string' &&
    UUID.test(value.id) &&
    typeof value.status === 'string' &&
    ['description', 'create_time', 'complete_time', 'wordpress_version'].every((key) => optionalString(value[key]));
const isInstall = (value) => isObject(value) && typeof value.id === 'string' && UUID.test(value.id) && typeof value.name === 'string' && INSTALL_NAME.test(value.name);
const isArchive = (value) => isObject(value) &&
    typeof value.id === 'string' &&
    UUID.test(value.id) &&
    isObject(value.backup) &&
    optionalString(value.backup.id) &&
    typeof value.state === 'string' &&
    ['create_time', 'complete_time', 'download_uri'].every((key) => optionalString(value[key]));
/** For the calls documented to answer 202 with no body: whatever comes back is fine. */
const isAnything = (_value) => true;
const isUser = (value) => isObject(value) && typeof value.id === 'string';
function isPageOf(isItem) {
    return (value) => isObject(value) &&
        Array.isArray(value.results) &&
        value.results.every(isItem) &&
        optionalString(value.next) &&
        optionalString(value.previous);
}
const isInstallPage = isPageOf(isInstall);
const isBackupPage = isPageOf(isBackup);
const isArchivePage = isPageOf(isArchive);

;// CONCATENATED MODULE: ./src/wpengine/client.ts







const DEFAULT_API_URL = 'https://api.wpengineapi.com/v1';
const PAGE_LIMIT = 100;
const API_ACCESS_PAGE = 'https://my.wpengine.com/api_access';
function basicToken(userId, password) {
    return Buffer.from(`${userId}:${password}`, 'utf8').toString('base64');
}
/**
 * The WP Engine API, as far as this action needs it. Knows URLs, auth, time limits, retries and
 * error decoding; knows nothing of GitHub Actions.
 */
class WpeClient {
    options;
    authorization;
    slots;
    constructor(options) {
        // `??`, not a spread of defaults: an option passed as undefined must still get its default.
        this.options = {
            ...options,
            random: options.random ?? Math.random,
            attemptTimeoutMs: options.attemptTimeoutMs ?? 30_000,
            maxAttempts: options.maxAttempts ?? 4,
            budget: options.budget ?? new RetryBudget(),
            userAgent: options.userAgent ?? 'wpengine-backup-action'
        };
        this.authorization = `Basic ${basicToken(options.userId, options.password)}`;
        this.slots = new Semaphore(options.maxConcurrentRequests ?? 1);
    }
    getUser() {
        return this.request('GET', ['user'], 'check the API credentials', isUser);
    }
    getInstall(installId) {
        return this.request('GET', ['installs', installId], `get install ${installId}`, isInstall);
    }
    listInstalls(offset) {
        return this.request('GET', ['installs'], 'list installs', isInstallPage, { query: { limit: PAGE_LIMIT, offset } });
    }
    /** One POST: retried here only when it surely did not reach the API; ambiguous failures are the caller's to resolve. */
    createBackup(install, body) {
        return this.request('POST', ['installs', install.id, 'backups'], `request a backup of install ${install.name}`, isBackup, { body });
    }
    getBackup(install, backupId) {
        return this.request('GET', ['installs', install.id, 'backups', backupId], `get backup ${backupId} of install ${install.name}`, isBackup);
    }
    listBackups(install, offset) {
        return this.request('GET', ['installs', install.id, 'backups'], `list the backups of install ${install.name}`, isBackupPage, {
            query: { limit: PAGE_LIMIT, offset }
        });
    }
    /** Asks WP Engine to turn a completed backup into a downloadable zip; 202 with no documented body. */
    async createArchive(install, body) {
        await this.request('POST', ['installs', install.id, 'archives'], `request an archive of backup ${body.backup_id} of install ${install.name}`, isAnything, { body });
    }
    listArchives(install, offset) {
        return this.request('GET', ['installs', install.id, 'archives'], `list the archives of install ${install.name}`, isArchivePage, {
            query: { limit: PAGE_LIMIT, offset }
        });
    }
    /** Starts restoring the install from the backup; 202 with no body, and no status to follow. */
    async restoreBackup(install, backupId, body) {
        await this.request('POST', ['installs', install.id, 'backups', backupId, 'restore'], `restore install ${install.name} from backup ${backupId}`, isAnything, { body });
    }
    /** Path segments are encoded one by one, so no value can change the path it is put into. */
    url(segments, query = {}) {
        const base = this.options.apiUrl.href.replace(/\/+$/, '');
        const url = new URL(`${base}/${segments.map(encodeURIComponent).join('/')}`);
        for (const [key, value] of Object.entries(query))
            url.searchParams.set(key, String(value));
        return url;
    }
    async request(method, segments, operation, shape, { query, body } = {}) {
        const { send, clock, deadline, signal, budget, maxAttempts, onDebug } = this.options;
        const target = `${method} ${apiPath(segments, query)}`;
        const debug = (result, next) => onDebug?.(`${target} → ${result}${next ? `; ${next}` : ''}`);
        const request = {
            method,
            url: this.url(segments, query),
            headers: {
                authorization: this.authorization,
                accept: 'application/json',
                'user-agent': this.options.userAgent,
                ...(body === undefined ? {} : { 'content-type': 'application/json' })
            },
            body: body === undefined ? undefined : JSON.stringify(body)
        };
        let spent = 0;
        let last;
        for (let attempt = 1;; attempt++) {
            // A slot is held only while a request is in flight, never during a backoff; the attempt's time limit starts once it has one.
            await this.slots.acquire(signal);
            const left = deadline - clock.now();
            if (left <= 0) {
                this.slots.release();
                throw this.deadlineError(operation, attempt - 1, last?.outcome);
            }
            const attemptSignal = AbortSignal.timeout(Math.min(this.options.attemptTimeoutMs, left));
            let response;
            let outcome;
            let parsed;
            const sentAt = clock.now();
            try {
                response = await send(request, signal ? AbortSignal.any([signal, attemptSignal]) : attemptSignal).finally(() => this.slots.release());
                outcome = { kind: 'response', status: response.status };
                if (response.status >= 300 && response.status < 400) {
                    debug(`${response.status} in ${clock.now() - sentAt} ms`, 'redirect not followed; giving up');
                    throw this.redirectError(operation, response, attempt);
                }
                if (response.status >= 200 && response.status < 300) {
                    try {
                        parsed = JSON.parse(response.body);
                    }
                    catch {
                        parsed = undefined;
                    }
                    if (!shape(parsed))
                        outcome = { kind: 'bad-response' };
                }
            }
            catch (error) {
                if (signal?.aborted) {
                    debug(`cancelled after ${clock.now() - sentAt} ms`);
                    throw new CancelledError();
                }
                if (!(error instanceof NetworkError)) {
                    if (!(error instanceof WpeApiError))
                        debug(`${error instanceof Error ? error.name : 'error'} after ${clock.now() - sentAt} ms`, 'giving up');
                    throw error;
                }
                outcome =
                    error.code === 'ETIMEDOUT' && attemptSignal.aborted
                        ? { kind: 'timeout', sent: error.sent }
                        : { kind: 'network', code: error.code, sent: error.sent };
            }
            last = { outcome, response };
            const result = attemptResult(outcome, response, clock.now() - sentAt);
            const verdict = classify(method, outcome);
            if (verdict === 'success') {
                debug(result);
                budget.release(spent);
                return parsed;
            }
            if (verdict === 'retry' && attempt < maxAttempts) {
                const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'), clock.now());
                const delay = Math.max(backoffDelay(attempt - 1, this.options.random), retryAfterMs ?? 0);
                const timeLeft = deadline - clock.now();
                if (retryAfterMs !== undefined && retryAfterMs >= timeLeft) {
                    debug(result, `giving up: Retry-After ${seconds(retryAfterMs)} is past the step's timeout`);
                    throw this.failure(`WP Engine asked to wait ${formatDuration(retryAfterMs)} before trying again to ${operation} (${describe(outcome)} with Retry-After), ` +
                        `more than the ${formatDuration(timeLeft)} left before the step's timeout. Re-run the job later, or raise timeout.`, 
                    // Not transient for this step: waiting on would only run into the timeout.
                    operation, outcome, 'fail', response, attempt);
                }
                const cost = delay < timeLeft ? budget.tryAcquire(outcome) : undefined;
                if (cost !== undefined) {
                    spent += cost;
                    debug(result, `retrying in ${seconds(delay)}`);
                    this.options.onRetry?.(`${describe(outcome)} while trying to ${operation}; retrying in ${formatDuration(delay)} (attempt ${attempt + 1} of ${maxAttempts})`);
                    try {
                        await clock.sleep(delay, signal);
                    }
                    catch {
                        throw new CancelledError();
                    }
                    continue;
                }
                debug(result, delay < timeLeft ? 'giving up: retry budget spent' : "giving up: no time left before the step's timeout");
            }
            else {
                debug(result, verdict === 'ambiguous' ? 'not retried: it may have been acted on' : `giving up after ${attempt} attempt${attempt > 1 ? 's' : ''}`);
            }
            throw this.failure(this.failureMessage(operation, outcome, verdict, response, attempt), operation, outcome, verdict, response, attempt);
        }
    }
    failure(message, operation, outcome, verdict, response, attempts) {
        const body = decodeErrorBody(response?.body ?? '');
        const detail = {
            kind: outcome.kind === 'response' ? 'http' : outcome.kind,
            operation,
            status: response?.status,
            code: outcome.kind === 'network' ? outcome.code : undefined,
            apiMessage: body.apiMessage,
            fieldErrors: body.fieldErrors,
            ambiguous: verdict === 'ambiguous',
            transient: verdict !== 'fail',
            attempts
        };
        return new WpeApiError(message, detail);
    }
    failureMessage(operation, outcome, verdict, response, attempts) {
        const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
        if (verdict === 'ambiguous') {
            return `The answer to the request to ${operation} was lost (${describe(outcome)}); WP Engine may or may not have acted on it.`;
        }
        if (outcome.kind === 'network' && isTlsTrustFailure(outcome.code)) {
            return (`Could not make a trusted TLS connection to ${this.options.apiUrl.origin} to ${operation} (${outcome.code}). ` +
                `If the runner is behind a TLS-inspecting proxy, give Node its CA certificate with NODE_EXTRA_CA_CERTS; otherwise check api-url.`);
        }
        if (outcome.kind === 'network') {
            return `Could not reach the WP Engine API at ${this.options.apiUrl.origin} to ${operation} (${outcome.code})${tries}. Check api-url and the runner's network.`;
        }
        if (outcome.kind === 'timeout') {
            return `The WP Engine API did not answer in time to ${operation}${tries}. It may be overloaded; re-run the job later.`;
        }
        if (outcome.kind === 'bad-response') {
            return `The WP Engine API answered ${operation} with something that is not the JSON it documents${tries}. Re-run the job later.`;
        }
        const { status } = outcome;
        const { apiMessage, fieldErrors } = decodeErrorBody(response?.body ?? '');
        const said = apiMessage ? `: ${apiMessage}` : '';
        switch (status) {
            case 401:
                return (`WP Engine did not accept the API credentials (401${said}). Check api-user-id and api-password ` +
                    `(or WPENGINE_USER_ID and WPENGINE_PASSWORD), and that API access is enabled for the account: ${API_ACCESS_PAGE}`);
            case 403:
                return (`The API user is not allowed to ${operation} (403${said}). Check the user's access to this install ` +
                    `in the WP Engine User Portal, and that API access is enabled for the account: ${API_ACCESS_PAGE}`);
            case 404:
                return `Not found: could not ${operation} (404${said}).`;
            case 429:
                return `WP Engine is rate-limiting this account or runner (429) and still refused to ${operation}${tries}. Wait a few minutes and re-run, or run fewer jobs at once.`;
        }
        if (status >= 500) {
            return `WP Engine failed to ${operation} (${status}${said})${tries}. The API may be having problems; re-run the job later.`;
        }
        const fields = fieldErrors.length > 0 ? ` ${fieldErrors.join('; ')}` : '';
        return `WP Engine rejected the request to ${operation} (${status}${said}).${fields}`;
    }
    redirectError(operation, response, attempts) {
        const location = safeText(headerValue(response, 'location') ?? 'no location', 200);
        const error = this.failure(`The API answered the request to ${operation} with a redirect (${response.status} to ${location}); it was not followed, ` +
            `so that the credentials are not sent elsewhere. Check api-url.`, operation, { kind: 'response', status: response.status }, 'fail', response, attempts);
        return new WpeApiError(error.message, { ...error.detail, kind: 'redirect' });
    }
    deadlineError(operation, attempts, last) {
        const detail = { kind: 'deadline', operation, ambiguous: false, transient: true, attempts };
        const lastSeen = last ? ` (last answer: ${describe(last)})` : '';
        return new WpeApiError(`The step's timeout ran out while trying to ${operation}${lastSeen}.`, detail);
    }
}
/** The request's path below api-url, as the debug lines show it: `/installs/…/backups?limit=100&offset=0`. */
function apiPath(segments, query = {}) {
    const search = Object.entries(query)
        .map(([key, value]) => `${key}=${value}`)
        .join('&');
    return `/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}
/** What one attempt got, and how long it took: `503 in 12 ms`, `ECONNRESET after 3 ms (sent)`. */
function attemptResult(outcome, response, ms) {
    switch (outcome.kind) {
        case 'response':
            return `${outcome.status} in ${ms} ms`;
        case 'bad-response':
            return `${response?.status ?? 'an answer'} in ${ms} ms, not the documented JSON`;
        case 'network':
            return `${outcome.code} after ${ms} ms (${outcome.sent ? 'sent' : 'not sent'})`;
        case 'timeout':
            return `no answer after ${ms} ms (${outcome.sent ? 'sent' : 'not sent'})`;
    }
}
/** `1234` → `1.2s`: finer than formatDuration, for backoffs of a fraction of a second. */
function seconds(ms) {
    return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
}
function headerValue(response, name) {
    const value = response?.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
function describe(outcome) {
    switch (outcome.kind) {
        case 'response':
            return `HTTP ${outcome.status}`;
        case 'bad-response':
            return 'an answer that is not the documented JSON';
        case 'network':
            return `network error ${outcome.code}`;
        case 'timeout':
            return 'no answer in time';
    }
}
/** The API's `message` and field-level messages, made safe to log; a non-JSON body is quoted, cut short. */
function decodeErrorBody(text) {
    let body;
    try {
        const value = JSON.parse(text);
        if (value && typeof value === 'object')
            body = value;
    }
    catch {
        const quoted = safeText(text, 200);
        return { apiMessage: quoted || undefined, fieldErrors: [] };
    }
    const apiMessage = typeof body?.message === 'string' ? safeText(body.message) : undefined;
    const fieldErrors = (Array.isArray(body?.errors) ? body.errors : [])
        .map((e) => [e?.field, e?.message].filter((part) => typeof part === 'string' && part !== '').join(': '))
        .filter((text) => text !== '')
        .map((text) => safeText(text));
    return { apiMessage, fieldErrors };
}

;// CONCATENATED MODULE: ./src/inputs.ts





/** Every problem with the inputs, each naming the input and the bad value. */
class InputError extends Error {
    problems;
    constructor(problems) {
        super(problems.join('; '));
        this.name = 'InputError';
        this.problems = problems;
    }
}
// The HTML living standard's address syntax, with a dot required in the domain: WP Engine mails real mailboxes.
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const LIST_SEPARATOR = /[\s,]+/;
const MIN_POLL_MS = 1_000;
const MAX_POLL_MS = (/* unused pure expression or super */ null && (10 * 60_000));
// A job may run for six hours at most on GitHub-hosted runners.
const MAX_TIMEOUT_MS = (/* unused pure expression or super */ null && (6 * 3_600_000));
// WP Engine publishes no rate limits; five requests in flight keeps well clear of them, twenty is plenty for hundreds of installs.
const DEFAULT_MAX_PARALLEL = 5;
const MAX_PARALLEL = 20;
// A restore point older than a week is not what anyone means by a fresh backup before a deploy.
const MAX_REUSE_WITHIN_MS = (/* unused pure expression or super */ null && (7 * 24 * 3_600_000));
const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
/** Plain http is allowed to these hosts only (api-url, and a download link). */
function isLoopbackHost(hostname) {
    return LOOPBACK_HOSTS.test(hostname);
}
/** How an install is named in the log and in messages: as the user gave it. */
function installLabel(ref) {
    return ref.kind === 'id' ? ref.id : ref.name;
}
/**
 * Reads inputs one by one, collecting every problem instead of stopping at the first; `done()`
 * throws them all at once. Shared by the backup and the restore action.
 */
class InputReader {
    getInput;
    env;
    problems = [];
    constructor(getInput, env) {
        this.getInput = getInput;
        this.env = env;
    }
    quote(value) {
        return `'${safeText(value, 80)}'`;
    }
    text(name) {
        return this.getInput(name).trim();
    }
    /** Install names or IDs, separated by commas, spaces or newlines; repeats dropped. */
    installs() {
        const installs = [];
        const texts = this.getInput('install').split(LIST_SEPARATOR).filter(Boolean);
        if (texts.length === 0)
            this.problems.push('install is required: the install name (e.g. mysite) or its ID (a UUID), or several separated by commas, spaces or newlines');
        for (const text of texts) {
            const ref = UUID.test(text)
                ? { kind: 'id', id: text.toLowerCase() }
                : INSTALL_NAME.test(text)
                    ? { kind: 'name', name: text }
                    : undefined;
            if (ref === undefined) {
                this.problems.push(`install ${this.quote(text)} is neither an install name (3 to 14 lowercase letters and digits, starting with a letter) nor an install ID (a UUID)`);
            }
            else if (!installs.some((known) => installLabel(known) === installLabel(ref))) {
                installs.push(ref);
            }
        }
        return installs;
    }
    backupId(required) {
        const text = this.text('backup-id');
        if (text === '' && required)
            this.problems.push("backup-id is required: the ID of the backup (a UUID), e.g. from the backup step's backup-id output");
        if (text !== '' && !UUID.test(text))
            this.problems.push(`backup-id ${this.quote(text)} is not a backup ID (a UUID such as e41fa98f-ea80-4654-b229-a9b765d0863a)`);
        return text === '' ? undefined : text.toLowerCase();
    }
    /** The addresses, without repeats; `requiredFor` says why they are needed, or undefined when they are not. */
    emails(requiredFor) {
        const emails = [];
        let bad = false;
        for (const address of this.getInput('notification-emails').split(LIST_SEPARATOR).filter(Boolean)) {
            if (!EMAIL.test(address)) {
                bad = true;
                this.problems.push(`notification-emails: ${this.quote(address)} is not an email address`);
            }
            else if (!emails.some((known) => known.toLowerCase() === address.toLowerCase())) {
                emails.push(address);
            }
        }
        if (requiredFor !== undefined && emails.length === 0 && !bad)
            this.problems.push(`notification-emails is required ${requiredFor}`);
        return emails;
    }
    boolean(name, fallback) {
        const text = this.text(name) || String(fallback);
        if (/^(true|false)$/i.test(text))
            return text.toLowerCase() === 'true';
        this.problems.push(`${name} ${this.quote(text)} is not true or false`);
        return fallback;
    }
    duration(name, fallback, minMs, maxMs) {
        return readDuration(name, this.getInput(name), fallback, minMs, maxMs, this.problems, (value) => this.quote(value));
    }
    credentials() {
        const userId = this.text('api-user-id') || this.env.WPENGINE_USER_ID?.trim() || '';
        const password = this.getInput('api-password') || this.env.WPENGINE_PASSWORD || '';
        const missing = [userId === '' && 'api-user-id (or WPENGINE_USER_ID)', password === '' && 'api-password (or WPENGINE_PASSWORD)'].filter(Boolean);
        if (missing.length > 0) {
            this.problems.push(`Missing WP Engine API credentials: set ${missing.join(' and ')}, from repository or organization secrets`);
        }
        return { userId, password };
    }
    apiUrl() {
        return readApiUrl(this.text('api-url') || DEFAULT_API_URL, this.problems, (value) => this.quote(value)) ?? new URL(DEFAULT_API_URL);
    }
    /** Throws one InputError with every problem found, if there is any. */
    done() {
        if (this.problems.length > 0)
            throw new InputError(this.problems);
    }
}
/** Reads and checks every input before anything is sent; throws one InputError listing all problems. */
function parseInputs(getInput, env) {
    const read = new InputReader(getInput, env);
    const { problems } = read;
    const installs = read.installs();
    const backupId = read.backupId(false);
    if (backupId !== undefined && installs.length > 1) {
        problems.push(`backup-id names one backup of one install, but install lists ${installs.length} (${installs.map(installLabel).join(', ')}): give the one install the backup belongs to`);
    }
    const notificationEmails = read.emails(backupId === undefined ? 'to request a backup: WP Engine emails these addresses when the backup completes' : undefined);
    const description = read.text('description') || undefined;
    const wait = read.boolean('wait', true);
    const timeoutMs = read.duration('timeout', '60m', 1_000, MAX_TIMEOUT_MS);
    const pollIntervalMs = read.duration('poll-interval', '15s', MIN_POLL_MS, MAX_POLL_MS);
    const reuseWithinMs = read.text('reuse-within') === '' ? undefined : read.duration('reuse-within', '', 1_000, MAX_REUSE_WITHIN_MS);
    const maxParallelText = read.text('max-parallel') || String(DEFAULT_MAX_PARALLEL);
    const maxParallel = /^\d+$/.test(maxParallelText) ? Number(maxParallelText) : NaN;
    if (!(maxParallel >= 1 && maxParallel <= MAX_PARALLEL)) {
        problems.push(`max-parallel ${read.quote(maxParallelText)} is not a whole number from 1 to ${MAX_PARALLEL}`);
    }
    const archivePathText = read.text('archive-path');
    // A path to download to implies the archive.
    const archive = read.boolean('archive', false) || archivePathText !== '';
    if (archive && installs.length > 1) {
        problems.push(`archive works with one install per step, but install lists ${installs.length}: use one step (or a matrix job) per install to archive`);
    }
    if (archive && !wait)
        problems.push('archive needs wait: true: an archive can only be made of a completed backup');
    // A trailing slash says "a directory": keep it, as resolve() drops it.
    const archivePath = archivePathText === ''
        ? undefined
        : resolve(env.GITHUB_WORKSPACE || process.cwd(), archivePathText) + (/[\\/]$/.test(archivePathText) ? sep : '');
    const { userId, password } = read.credentials();
    const apiUrl = read.apiUrl();
    read.done();
    return {
        installs,
        maxParallel,
        reuseWithinMs,
        notificationEmails,
        description,
        wait,
        timeoutMs,
        pollIntervalMs,
        backupId,
        archive,
        archivePath,
        userId,
        password,
        apiUrl
    };
}
function readDuration(name, raw, fallback, minMs, maxMs, problems, quote) {
    const text = raw.trim() || fallback;
    const ms = parseDuration(text);
    if (ms === undefined) {
        problems.push(`${name} ${quote(text)} is not a duration: use e.g. 90s, 30m, 1h, 1h30m, or a number of seconds`);
    }
    else if (ms < minMs || ms > maxMs) {
        problems.push(`${name} ${quote(text)} is out of range: it must be between ${minMs / 1000}s and ${maxMs / 60_000}m`);
    }
    return ms ?? 0;
}
function readApiUrl(text, problems, quote) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        problems.push(`api-url ${quote(text)} is not a URL`);
        return undefined;
    }
    if (url.username !== '' || url.password !== '') {
        problems.push('api-url must not contain credentials: use api-user-id and api-password');
    }
    else if (url.search !== '' || url.hash !== '') {
        problems.push(`api-url ${quote(text)} must not have a query or a fragment`);
    }
    else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
        problems.push(`api-url ${quote(text)} must use https: plain http is allowed only to a loopback address (127.0.0.1, localhost, [::1])`);
    }
    else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        problems.push(`api-url ${quote(text)} must be an https URL`);
    }
    return url;
}

;// CONCATENATED MODULE: ./src/markdown.ts
/** Text from the API or the user, made inert in a Markdown table cell. */
function cell(value) {
    if (!value)
        return '—';
    return value
        .replace(/[\r\n]+/g, ' ')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '&#124;')
        .replace(/`/g, '&#96;');
}

// EXTERNAL MODULE: ./src/runner.ts + 4 modules
var runner = __nccwpck_require__(988);
;// CONCATENATED MODULE: ./src/step.ts





/** The real collaborators: the runner protocol on stdout and files, the run context, process signals. */
function actionDependencies() {
    return {
        runner: (0,runner/* createRunner */.ji)(process.env),
        env: process.env,
        context: (0,runner/* runContextFromEnv */.wX)(process.env),
        signals: process,
        // In-flight requests are already aborted and the outputs written: end now, whatever else is pending.
        onCancelled: () => process.exit()
    };
}
async function group(runner, name, body) {
    runner.startGroup(name);
    try {
        return await body();
    }
    finally {
        runner.endGroup();
    }
}
function failureMessage(error) {
    if (error instanceof WpeApiError)
        return error.message;
    if (error instanceof Error)
        return safeText(error.message);
    return safeText(String(error));
}
/**
 * The inputs, parsed and checked, with the credentials masked before anything else is logged; or
 * undefined once the step has failed with one line naming every bad input (nothing is sent then).
 */
function readSettings(runner, parse) {
    let settings;
    try {
        settings = parse();
    }
    catch (error) {
        runner.setFailed(error instanceof InputError ? `Invalid input: ${error.message}` : String(error));
        return undefined;
    }
    // The password and the header value derived from it.
    runner.setSecret(settings.password);
    runner.setSecret(basicToken(settings.userId, settings.password));
    return settings;
}
/** The job summary; failing to write it is a warning, never the step's failure. */
async function writeSummary(runner, markdown) {
    try {
        await runner.writeSummary(markdown);
    }
    catch (error) {
        runner.warning(`Could not write the job summary: ${failureMessage(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/restore/main.ts











// Finding the install, checking the backup and sending the request take seconds; this bounds a hung API.
const RESTORE_STEP_TIMEOUT_MS = 5 * 60_000;
function parseRestoreInputs(getInput, env) {
    const read = new InputReader(getInput, env);
    const installs = read.installs();
    if (installs.length > 1)
        read.problems.push(`install lists ${installs.length} installs (${installs.map(installLabel).join(', ')}): a restore goes to exactly one`);
    const backupId = read.backupId(true);
    const notificationEmails = read.emails('to restore: WP Engine emails these addresses when the restore is done');
    const restoreDatabase = read.boolean('restore-database', true);
    const createCheckpoint = read.boolean('create-checkpoint', true);
    const { userId, password } = read.credentials();
    const apiUrl = read.apiUrl();
    read.done();
    return {
        install: installs[0],
        backupId: backupId,
        notificationEmails,
        restoreDatabase,
        createCheckpoint,
        userId,
        password,
        apiUrl
    };
}
/**
 * Restores an install from a backup, for a failed deploy. Checks first that the backup belongs to
 * the install and is completed; the API gives no status to follow, so success means WP Engine
 * accepted the restore. A lost answer is never resent: a second restore would run again over the
 * first, so the step fails and says to look before trying again.
 */
async function runRestore(deps = actionDependencies()) {
    const { runner } = deps;
    const settings = readSettings(runner, () => parseRestoreInputs((name) => runner.getInput(name), deps.env));
    if (!settings)
        return;
    const clock = deps.clock ?? systemClock;
    const send = deps.send ?? createNodeSend(deps.env);
    const client = new WpeClient({
        ...settings,
        send,
        clock,
        deadline: clock.now() + RESTORE_STEP_TIMEOUT_MS,
        random: deps.random,
        onRetry: (message) => runner.info(message)
    });
    let install;
    try {
        install = await group(runner, `Finding install ${installLabel(settings.install)}`, async () => {
            const [found] = await resolveInstalls(client, [settings.install]);
            if (!found || 'error' in found)
                throw found?.error;
            runner.info(describeInstall(found.install));
            return found.install;
        });
        const target = install;
        await group(runner, `Restoring ${target.name} from backup ${settings.backupId}`, async () => {
            const backup = await getBackupOf(client, target, settings.backupId);
            const status = normalizeStatus(backup.status);
            runner.info(`Backup ${backup.id} is ${safeText(backup.status, 40)}: ${safeText(backup.description ?? '')}`);
            if (status === 'aborted') {
                throw new Error(`Backup ${backup.id} of install ${target.name} was aborted, so it holds no restore point; nothing was restored. Restore from a completed backup.`);
            }
            if (status !== 'completed') {
                throw new Error(`Backup ${backup.id} of install ${target.name} is ${safeText(backup.status, 40)}, not completed; nothing was restored. ` +
                    `Wait for it first (the backup action with backup-id: ${backup.id}), then restore.`);
            }
            const options = `database ${settings.restoreDatabase ? 'included' : 'left as it is'}, ${settings.createCheckpoint ? 'a checkpoint backup first' : 'no checkpoint'}`;
            runner.info(`Asking WP Engine to restore ${target.name} from backup ${backup.id} (${options}).`);
            try {
                await client.restoreBackup(target, backup.id, {
                    notification_emails: settings.notificationEmails,
                    restore_database: settings.restoreDatabase,
                    create_checkpoint: settings.createCheckpoint
                });
            }
            catch (error) {
                if (error instanceof WpeApiError && error.detail.ambiguous) {
                    throw new WpeApiError(`${error.message} Check install ${target.name} in the WP Engine User Portal before running the restore again: a second request would restore it twice.`, error.detail);
                }
                throw error;
            }
        });
    }
    catch (error) {
        if (install)
            runner.setOutput('install-id', install.id);
        runner.setFailed(failureMessage(error));
        await writeSummary(runner, `## ❌ WP Engine restore not started\n\n> [!CAUTION]\n> ${cell(failureMessage(error))}\n`);
        return;
    }
    finally {
        if (!deps.send)
            send.close();
    }
    const acceptedAt = new Date(clock.now()).toISOString();
    const outputs = {
        accepted: 'true',
        'accepted-at': acceptedAt,
        'install-id': install.id,
        'install-name': install.name,
        'backup-id': settings.backupId
    };
    for (const [name, value] of Object.entries(outputs))
        runner.setOutput(name, value);
    await writeSummary(runner, [
        '## ✅ WP Engine restore accepted',
        '',
        '| | |',
        '| --- | --- |',
        `| Install | ${install.name} (${install.id}) |`,
        `| Backup ID | ${settings.backupId} |`,
        `| Database | ${settings.restoreDatabase ? 'restored' : 'left as it is'} |`,
        `| Checkpoint first | ${settings.createCheckpoint ? 'yes' : 'no'} |`,
        `| Accepted at | ${acceptedAt} |`,
        '',
        `WP Engine gives no restore status to follow; it emails ${settings.notificationEmails.join(', ')} when the restore is done.`,
        ''
    ].join('\n'));
    runner.info(`✅ WP Engine accepted the restore of ${install.name} from backup ${settings.backupId}. It runs on WP Engine now and emails ${settings.notificationEmails.join(', ')} when done; the API gives no status to wait on.`);
}


/***/ }),

/***/ 988:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  ay: () => (/* binding */ commandLine),
  ji: () => (/* binding */ createRunner),
  wX: () => (/* binding */ runContextFromEnv)
});

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/runner.ts




/** Escaping for a command's message, as @actions/core's escapeData. */
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** A workflow command line, e.g. `::warning::text`. */
function commandLine(command, message) {
    return `::${command}::${escapeData(message)}${external_node_os_namespaceObject.EOL}`;
}
/** A record for a file command (GITHUB_OUTPUT), as @actions/core's prepareKeyValueMessage. */
function keyValueRecord(key, value, delimiter = `ghadelimiter_${(0,external_node_crypto_namespaceObject.randomUUID)()}`) {
    // The runner reads up to the delimiter; a value containing it could smuggle in more outputs.
    if (key.includes(delimiter) || value.includes(delimiter))
        throw new Error(`Unexpected input: the value of output ${key} contains the delimiter`);
    return `${key}<<${delimiter}${external_node_os_namespaceObject.EOL}${value}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`;
}
function createRunner(env, write = (text) => process.stdout.write(text)) {
    const issue = (command, message) => write(commandLine(command, message));
    return {
        getInput: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
        setOutput(name, value) {
            const file = env.GITHUB_OUTPUT;
            if (file)
                (0,external_node_fs_namespaceObject.appendFileSync)(file, keyValueRecord(name, value), 'utf8');
            else
                write(`${external_node_os_namespaceObject.EOL}::set-output name=${name}::${escapeData(value)}${external_node_os_namespaceObject.EOL}`);
        },
        setSecret: (secret) => issue('add-mask', secret),
        setFailed(message) {
            process.exitCode = 1;
            issue('error', message);
        },
        info: (message) => write(`${message}${external_node_os_namespaceObject.EOL}`),
        warning: (message) => issue('warning', message),
        startGroup: (name) => issue('group', name),
        endGroup: () => issue('endgroup', ''),
        async writeSummary(markdown) {
            const file = env.GITHUB_STEP_SUMMARY;
            if (!file)
                throw new Error('GITHUB_STEP_SUMMARY is not set, so there is no job summary to write to');
            await (0,promises_namespaceObject.appendFile)(file, `${markdown}${external_node_os_namespaceObject.EOL}`, 'utf8');
        }
    };
}
/** The run's identity, from the variables the runner sets (what @actions/github's context reads). */
function runContextFromEnv(env) {
    const int = (value) => {
        const n = Number.parseInt(value ?? '', 10);
        return Number.isFinite(n) && n > 0 ? n : undefined;
    };
    return {
        repository: env.GITHUB_REPOSITORY || undefined,
        sha: env.GITHUB_SHA || undefined,
        workflow: env.GITHUB_WORKFLOW || undefined,
        runNumber: int(env.GITHUB_RUN_NUMBER),
        runId: int(env.GITHUB_RUN_ID),
        runAttempt: int(env.GITHUB_RUN_ATTEMPT),
        actor: env.GITHUB_ACTOR || undefined,
        job: env.GITHUB_JOB || undefined,
        step: env.GITHUB_ACTION || undefined
    };
}


/***/ }),

/***/ 613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 23:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(474);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
