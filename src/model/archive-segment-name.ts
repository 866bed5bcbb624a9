/**
 * An archive segment's file name says what it holds, so that listing the archive is enough
 * to know its coverage without reading a byte: the cluster's GTID domain, the first and last
 * sequence numbers of the transactions in it, and the times of the first and last (whole
 * seconds, UTC, as the binlog stamps them):
 *
 *   D-FFFFFFFFFFFFFFFFFFFF-LLLLLLLLLLLLLLLLLLLL_YYYYMMDDTHHMMSSZ-YYYYMMDDTHHMMSSZ_NODE.binlog
 *
 * Sequence numbers are zero-padded to 20 digits, so names sort by first sequence number.
 * NODE is the node whose binlog it was read from: two archivers for a moment (see
 * decide/archiver-node.ts) never write one name, and a person can tell where it came from.
 * Pure.
 */

export interface SegmentSpan {
  domain: number;
  first: number;
  last: number;
  /** Milliseconds since the epoch, whole seconds. */
  firstTime: number;
  lastTime: number;
  /** The node it was read from (letters, digits, "." and "-"; others become "-"), at most 40. */
  node: string;
}

const SEQNO_DIGITS = 20;
const NAME_PATTERN = /^(\d+)-(\d{20})-(\d{20})_(\d{8}T\d{6}Z)-(\d{8}T\d{6}Z)_([0-9A-Za-z.-]{1,40})\.binlog$/;

/** A node name as a segment name holds it. */
export function segmentNodeTag(node: string): string {
  return node.replace(/[^0-9A-Za-z.-]/g, "-").slice(0, 40) || "-";
}

export function segmentName(span: SegmentSpan): string {
  const pad = (n: number) => String(n).padStart(SEQNO_DIGITS, "0");
  return `${span.domain}-${pad(span.first)}-${pad(span.last)}_${compactTime(span.firstTime)}-${compactTime(span.lastTime)}_${segmentNodeTag(span.node)}.binlog`;
}

/** A stored segment: its name, and what the name says. */
export interface NamedSegment {
  name: string;
  span: SegmentSpan;
}

/** The segments among `names` (as a destination lists them), each with its span; other names left out. */
export function namedSegments(names: readonly string[]): NamedSegment[] {
  return names.flatMap((name) => {
    const span = parseSegmentName(name);
    return span === null ? [] : [{ name, span }];
  });
}

/** The span a segment's name gives, or null for a name that is not a segment's. */
export function parseSegmentName(name: string): SegmentSpan | null {
  const match = NAME_PATTERN.exec(name);
  if (!match) return null;
  const span = {
    domain: Number(match[1]),
    first: Number(match[2]),
    last: Number(match[3]),
    firstTime: parseCompactTime(match[4]!),
    lastTime: parseCompactTime(match[5]!),
    node: match[6]!,
  };
  const numbers = [span.domain, span.first, span.last];
  if (!numbers.every(Number.isSafeInteger) || span.first > span.last) return null;
  if (Number.isNaN(span.firstTime) || Number.isNaN(span.lastTime)) return null;
  return span;
}

function compactTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function parseCompactTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  // Date.UTC rolls 25:61 over into the next day: such a name is not one this code wrote.
  return compactTime(ms) === text ? ms : NaN;
}
