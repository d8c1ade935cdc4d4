/** Process entry of the `cases` command (see bin/cases). */
import { main, type CliIo } from './main';

const io: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
void main(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
