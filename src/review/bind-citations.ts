/**
 * Evidence-bound votes: a vote counts only if it quotes what the reviewers were shown. Every quote must
 * appear in the task or the work (whitespace and diff markers aside), and at least one must come from the
 * work itself: the diff, the files, the command or validation output. A vote that cites nothing, quotes the
 * agent's own claims as proof, or quotes text that is not there, is discarded (the reviewer abstains).
 */
import type { EvidenceSection } from './evidence.js';

export type CitationCheck = { ok: true; quotes: string[] } | { ok: false; problem: string };

/** Shorter quotes prove nothing: `the` or `}` is in every diff. */
export const minQuoteChars = 8;

interface Searchable {
  role: EvidenceSection['role'];
  /** The text, and for diffs its lines without markers, the new side and the old side; all normalised. */
  variants: string[];
}

/** Prepares the shown sections once for every vote of a review. */
export function citationIndex(
  sections: readonly EvidenceSection[],
): (quotes: readonly string[]) => CitationCheck {
  const searchable: Searchable[] = sections.map((section) => ({
    role: section.role,
    variants: [
      section.text,
      diffSide(section.text, 'both'),
      diffSide(section.text, 'new'),
      diffSide(section.text, 'old'),
    ].map(normalise),
  }));
  return (quotes) => checkQuotes(quotes, searchable);
}

function checkQuotes(quotes: readonly string[], sections: readonly Searchable[]): CitationCheck {
  const cleaned = quotes.map(cleanQuote).filter((quote) => quote !== '');
  if (cleaned.length === 0) return { ok: false, problem: 'the vote quotes no evidence' };
  let fromWork = false;
  for (const quote of cleaned) {
    const pieces = quote
      .split(/\.\.\.|…/)
      .map((piece) => piece.trim())
      .filter((piece) => piece !== '');
    if (pieces.every((piece) => piece.length < minQuoteChars)) {
      return { ok: false, problem: `the quote "${shorten(quote)}" is too short to prove anything` };
    }
    const where = sections.filter((section) => pieces.every((piece) => contains(section, piece)));
    if (where.length === 0 || where.every((section) => section.role === 'claim')) {
      const claim = where.length > 0 ? " (it is the agent's own claim)" : '';
      return { ok: false, problem: `the quote "${shorten(quote)}" is not in the evidence${claim}` };
    }
    if (where.some((section) => section.role === 'work')) fromWork = true;
  }
  if (!fromWork) return { ok: false, problem: 'the vote quotes only the task, nothing of the work' };
  return { ok: true, quotes: cleaned };
}

function contains(section: Searchable, piece: string): boolean {
  const forms = [normalise(piece), normalise(diffSide(piece, 'both'))].filter((form) => form !== '');
  return forms.some((form) => section.variants.some((variant) => variant.includes(form)));
}

/** Quotes often come wrapped in backticks or quotation marks. */
function cleanQuote(quote: string): string {
  return quote
    .trim()
    .replace(/^[`"'“”‘’]+|[`"'“”‘’]+$/g, '')
    .trim();
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * `+  return a;` in a diff is quoted as `return a;`: the line markers are not part of the code. A quote of
 * several lines follows one side of the change: `new` drops removed lines, `old` drops added ones.
 */
function diffSide(text: string, side: 'both' | 'new' | 'old'): string {
  const dropped = side === 'new' ? '-' : side === 'old' ? '+' : undefined;
  return text
    .split('\n')
    .filter((line) => dropped === undefined || !line.startsWith(dropped) || /^(\+\+\+|---) /.test(line))
    .map((line) => (/^(\+\+\+|---) /.test(line) ? line : line.replace(/^[+\- ]/, '')))
    .join('\n');
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
