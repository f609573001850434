/**
 * What `string-width` resolves to in the bundle (see fast-string-width.ts). The real module is
 * reached with require(), which esbuild turns into a lazy initialisation: its regexes and
 * segmenter are set up only when some text needs them.
 */
import { fastStringWidth, type StringWidth } from './fast-string-width.ts';

export default fastStringWidth(() => (require('string-width') as { default: StringWidth }).default);
