/** `npm run rez -- <command>`: the command line for a person at the terminal. See HELP. */
import { runCli } from './cli/commands';
import { LocalTarget } from './cli/target';

runCli(process.argv.slice(2), () => new LocalTarget(), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then((code) => {
  process.exitCode = code;
});
