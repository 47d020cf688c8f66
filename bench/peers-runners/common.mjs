// Shared by the peer runners: argument parsing and the one JSON line each
// run prints for bench/peers.sh. A runner executes one definition of
// bench/workloads/ EXECUTIONS times in this process, all started at once
// (as bench_engine starts them before its loop runs), and reports the time
// from the first start to the last end, the peak RSS of the process and
// the status of the executions (SUCCEEDED only if every one succeeded).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

export function parseArgs(argv) {
    if (argv.length !== 4) {
        process.stderr.write(
            'usage: node RUNNER PEERS_DIR DEFINITION INPUT_FILE EXECUTIONS\n');
        process.exit(2);
    }
    const [peersDir, defFile, inputFile, n] = argv;
    return {
        require: createRequire(resolve(peersDir, 'node_modules', 'x.js')),
        definition: JSON.parse(readFileSync(defFile, 'utf8')),
        input: JSON.parse(readFileSync(inputFile, 'utf8')),
        executions: Number(n),
    };
}

export function report(executions, seconds, statuses) {
    const bad = statuses.find((s) => s !== 'SUCCEEDED');
    process.stdout.write(JSON.stringify({
        executions,
        seconds,
        max_rss_kib: process.resourceUsage().maxRSS,
        status: bad ?? 'SUCCEEDED',
    }) + '\n');
}

export const now = () => Number(process.hrtime.bigint()) / 1e9;
