/**
 * Task text (description, details, test strategy) as Markdown. Raw HTML is
 * off, so HTML in an event shows as its text and never runs; links keep only
 * http(s) and mailto targets and open without handing over the page; images
 * are not loaded (text from a webhook must not make the viewer fetch anything).
 */
import MarkdownIt from "markdown-it";

const SAFE_LINK = /^(https?:|mailto:)/i;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.disable("image");
md.validateLink = (url) => SAFE_LINK.test(url.trim());
md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  tokens[index]!.attrSet("rel", "noopener noreferrer");
  tokens[index]!.attrSet("target", "_blank");
  return self.renderToken(tokens, index, options);
};

/** Safe HTML for `{@html}`: every tag in it comes from markdown-it's own renderer. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
