// What `pnpm start` says when PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) cannot be used: what
// exactly is wrong, and on a local address how to get, start or log in to them on Debian or Ubuntu.
// It never starts a service itself: that needs root and changes the machine for more than Hookyard
// (scripts/test-prerequisites.sh does, on the project's own test machines). Passwords in the URLs are
// never printed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connectRedis } from "@hookyard/queues";

const LOCAL_HOSTS = new Set(["", "localhost", "127.0.0.1", "::1", "[::1]"]);
/** How long the Redis check waits for an answer. */
const REDIS_WAIT_MS = 5_000;

/** "sudo " unless we are root already (a container may have no sudo). */
const sudo = process.getuid?.() === 0 ? "" : "sudo ";
/** Runs a command as the postgres system user (peer login over the socket needs no password). */
const asPostgres = sudo ? "sudo -u postgres " : "runuser -u postgres -- ";

function indent(lines) {
  return lines.map((line) => `  ${line}`).join("\n");
}

/** The codes of an error, and of each error of an AggregateError (Node tries IPv6 and IPv4). */
function codes(error) {
  return new Set([error?.code, ...(error?.errors ?? []).map((e) => e?.code)].filter(Boolean));
}

function onPath(program) {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/bin"];
  return dirs.some((dir) => dir && existsSync(`${dir}/${program}`));
}

/** The PostgreSQL clusters Debian's postgresql-common knows here, as "15 main on port 5432". */
function postgresClusters() {
  try {
    return readdirSync("/etc/postgresql").flatMap((version) =>
      readdirSync(`/etc/postgresql/${version}`).map((name) => {
        let port = "5432";
        try {
          const conf = readFileSync(`/etc/postgresql/${version}/${name}/postgresql.conf`, "utf8");
          port = /^\s*port\s*=\s*(\d+)/m.exec(conf)?.[1] ?? port;
        } catch {
          // unreadable: PostgreSQL's default port
        }
        return `${version} ${name} on port ${port}`;
      }),
    );
  } catch {
    return [];
  }
}

/** DATABASE_URL with `password` in place of whatever password it had. */
function withPassword(databaseUrl, password) {
  const url = new URL(databaseUrl);
  url.password = password;
  const text = url.toString();
  return /^[\w@:/.%-]+$/.test(text) ? text : `'${text}'`;
}

/**
 * The message for an error of preparing the database (ensureDatabase, migrate): the driver's own
 * words, then what they mean here and what to do.
 */
export function explainPostgres(error, databaseUrl) {
  const url = new URL(databaseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "") || "localhost";
  const port = url.port || "5432";
  const user = decodeURIComponent(url.username) || process.env.USER || "postgres";
  const where = `${host}:${port}`;
  const local = LOCAL_HOSTS.has(host);
  const head = `hookyard: cannot prepare the database at DATABASE_URL (${where}): ${error.message}`;
  const found = codes(error);
  const setPassword = () =>
    indent([
      `${asPostgres}psql -c "ALTER USER ${user} PASSWORD 'choose-a-password'"`,
      `export DATABASE_URL=${withPassword(databaseUrl, "choose-a-password")}`,
    ]);

  if (found.has("ECONNREFUSED")) {
    if (!local) return `${head}\nNothing accepts connections at ${where}: check the host and port in DATABASE_URL.`;
    const clusters = postgresClusters();
    return [
      head,
      clusters.length
        ? `PostgreSQL is installed here (cluster ${clusters.join(", ")}) but nothing listens on ${where}: start it (second line below), or put its port in DATABASE_URL.`
        : `No PostgreSQL runs at ${where}.`,
      `On Debian or Ubuntu: install PostgreSQL, start it (apt-get does where systemd runs; in a container the`,
      `second line does), give its postgres user a password (Debian's TCP logins ask for one: scram-sha-256)`,
      "and name it in DATABASE_URL:",
      indent([`${sudo}apt-get install postgresql`, `${sudo}service postgresql start`]),
      setPassword(),
    ].join("\n");
  }
  if (found.has("ENOTFOUND") || found.has("EAI_AGAIN")) {
    return `${head}\nThe host "${host}" in DATABASE_URL is not known here: check its spelling.`;
  }
  // pg's own words when the server asks for a password and the URL has none.
  if (/password must be a string/i.test(error.message)) {
    return [
      `hookyard: cannot prepare the database at DATABASE_URL (${where}): PostgreSQL asks for the password of user "${user}", and DATABASE_URL has none.`,
      `Debian's and Ubuntu's PostgreSQL ask for one on TCP logins (scram-sha-256 in pg_hba.conf). Give "${user}" a password and name it in DATABASE_URL:`,
      setPassword(),
    ].join("\n");
  }
  if (found.has("28P01")) {
    return [
      head,
      `The password in DATABASE_URL is not user "${user}"'s (Debian's postgres user has none until one is set). Set one and name it in DATABASE_URL:`,
      setPassword(),
    ].join("\n");
  }
  if (found.has("28000") && /role .* does not exist/.test(error.message)) {
    return [
      head,
      `Create that PostgreSQL user, allowed to create the database, with a password, and name it in DATABASE_URL:`,
      indent([`${asPostgres}createuser --createdb --pwprompt ${user}`]),
    ].join("\n");
  }
  if (found.has("42501")) {
    const name = decodeURIComponent(url.pathname.slice(1));
    return [
      head,
      `User "${user}" may not create databases: create "${name}" for it once, then start again:`,
      indent([`${asPostgres}createdb --owner=${user} ${name}`]),
    ].join("\n");
  }
  return head;
}

/** Why Redis at REDIS_URL cannot be used, and what to do; null once it answers. */
export async function checkRedis(config) {
  const first = config.redisUrl.split(",")[0];
  const url = new URL(first);
  const host = url.hostname.replace(/^\[|\]$/g, "") || "localhost";
  const where = `${host}:${url.port || "6379"}`;
  const redis = connectRedis({ redisUrl: config.redisUrl, redisCluster: config.redisCluster }, "producer");
  let timer;
  const outcome = await new Promise((resolve) => {
    redis.once("ready", () => resolve(null));
    redis.once("error", (error) => resolve(error));
    timer = setTimeout(() => resolve(new Error(`no answer within ${REDIS_WAIT_MS / 1000} s`)), REDIS_WAIT_MS);
  });
  clearTimeout(timer);
  redis.disconnect();
  if (!outcome) return null;

  const head = `hookyard: cannot use Redis at REDIS_URL (${where}): ${outcome.message}`;
  const found = codes(outcome);
  if (found.has("ECONNREFUSED")) {
    if (!LOCAL_HOSTS.has(host))
      return `${head}\nNothing accepts connections at ${where}: check the host and port in REDIS_URL.`;
    return [
      head,
      onPath("redis-server")
        ? `Redis is installed here but nothing listens on ${where}: start it (second line below), or name its port in REDIS_URL.`
        : `No Redis runs at ${where}.`,
      "On Debian or Ubuntu: install Redis and start it (apt-get does where systemd runs; in a container the",
      "second line does):",
      indent([`${sudo}apt-get install redis-server`, `${sudo}service redis-server start`]),
    ].join("\n");
  }
  if (found.has("ENOTFOUND") || found.has("EAI_AGAIN")) {
    return `${head}\nThe host "${host}" in REDIS_URL is not known here: check its spelling.`;
  }
  if (/NOAUTH|WRONGPASS|invalid password/i.test(outcome.message)) {
    const hasPassword = Boolean(url.password);
    return [
      head,
      hasPassword
        ? "The password in REDIS_URL is not the one Redis wants (requirepass in /etc/redis/redis.conf, or an ACL user's)."
        : "This Redis wants a password (requirepass in /etc/redis/redis.conf) and REDIS_URL has none. Name it there:",
      indent([`export REDIS_URL=redis://:the-password@${url.host}`]),
    ].join("\n");
  }
  return head;
}
