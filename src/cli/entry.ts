/** Process entry of the bundled CLI. */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
