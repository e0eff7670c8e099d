import type { Prng } from "./prng.js";
import {
  BOT_NAMES,
  FIRST_NAMES,
  LAST_NAMES,
  ROLES,
  SSH_LOGINS,
  SSO_CONNECTORS,
  USER_AGENTS,
} from "./names.js";
import { documentationAddress } from "./addresses.js";

/** The synthetic users: humans and bots, each with an activity weight and the months it is around. */

export interface Actor {
  /** Teleport user name: "alice.smith@acme.com", "dave", or "bot-<name>". */
  readonly name: string;
  readonly kind: "human" | "bot";
  /** Teleport's user_kind: 1 human, 2 bot. */
  readonly userKind: 1 | 2;
  /** Teleport's user_origin for humans: 1 local, 2 SSO. */
  readonly origin: 1 | 2;
  readonly connector: (typeof SSO_CONNECTORS)[number] | undefined;
  /** OS / Windows / Kubernetes login. */
  readonly login: string;
  readonly email: string;
  readonly roles: readonly string[];
  /** Public address the user connects from (documentation ranges). */
  readonly ip: string;
  readonly userAgent: string;
  readonly botName: string | undefined;
  readonly botInstanceId: string | undefined;
  /** Relative activity (power law over users). */
  readonly weight: number;
  /** Month indexes (0-based from the start month) the actor is around, both included. */
  readonly firstMonth: number;
  readonly lastMonth: number;
}

export interface Population {
  readonly humans: readonly Actor[];
  readonly bots: readonly Actor[];
}

/** About one in sixteen users is a bot (machine identities), at least one when there are two users. */
export function botCount(users: number): number {
  return users < 2 ? 0 : Math.max(1, Math.round(users / 16));
}

// A Zipf exponent around 1 gives the long tail operators see: a few people do most of the work.
const HUMAN_ZIPF = 1.1;
const BOT_ZIPF = 0.7;
const ALWAYS_ACTIVE_SHARE = 0.1;

/** How many months an actor of relative rank r (0 most active, towards 1 least) stays around. */
function spanMonths(rank: number, months: number): number {
  if (rank < ALWAYS_ACTIVE_SHARE) return months;
  return Math.max(1, Math.round(months * (1 - rank) ** 3));
}

export function buildPopulation(
  prng: Prng,
  options: { users: number; months: number; org: string },
): Population {
  const { users, months, org } = options;
  const bots = botCount(users);
  const humanCount = users - bots;
  const taken = new Set<string>();
  const unique = (base: string, suffix = ""): string => {
    let name = `${base}${suffix}`;
    for (let n = 2; taken.has(name); n += 1) name = `${base}${n}${suffix}`;
    taken.add(name);
    return name;
  };

  const humans: Actor[] = [];
  for (let i = 0; i < humanCount; i += 1) {
    const first = prng.pick(FIRST_NAMES);
    const last = prng.pick(LAST_NAMES);
    const sso = prng.chance(0.8);
    const name = sso ? unique(`${first}.${last}`, `@${org}.com`) : unique(first);
    const length = spanMonths(i / humanCount, months);
    const firstMonth = prng.int(months - length + 1);
    humans.push({
      name,
      kind: "human",
      userKind: 1,
      origin: sso ? 2 : 1,
      connector: sso ? prng.pick(SSO_CONNECTORS) : undefined,
      login: prng.chance(0.5) ? first : prng.pick(SSH_LOGINS),
      email: sso ? name : `${name}@${org}.com`,
      roles: prng.chance(0.3) ? ["access", prng.pick(ROLES)] : ["access"],
      ip: documentationAddress(prng),
      userAgent: prng.pick(USER_AGENTS),
      botName: undefined,
      botInstanceId: undefined,
      weight: 1 / (i + 1) ** HUMAN_ZIPF,
      firstMonth,
      lastMonth: firstMonth + length - 1,
    });
  }

  const botList: Actor[] = [];
  for (let j = 0; j < bots; j += 1) {
    const base = BOT_NAMES[j % BOT_NAMES.length] as string;
    const botName = j < BOT_NAMES.length ? base : `${base}-${Math.floor(j / BOT_NAMES.length) + 1}`;
    // Most bots run for the whole period; some are retired or added part way.
    const length = prng.chance(0.8) ? months : prng.between(1, months);
    const firstMonth = prng.int(months - length + 1);
    botList.push({
      name: `bot-${botName}`,
      kind: "bot",
      userKind: 2,
      origin: 1,
      connector: undefined,
      login: prng.pick(["deploy", "root", "ubuntu"]),
      email: "",
      roles: [`bot-${botName}`],
      ip: documentationAddress(prng),
      userAgent: "tbot/18.2.1 (linux/amd64)",
      botName,
      botInstanceId: prng.uuid(),
      weight: 1 / (j + 1) ** BOT_ZIPF,
      firstMonth,
      lastMonth: firstMonth + length - 1,
    });
  }
  return { humans, bots: botList };
}
