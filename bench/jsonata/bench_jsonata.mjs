// JSONata benchmark, reference side (the npm `jsonata` package), plus the
// dataset generator and the report that bench/jsonata/run.sh uses.
//
//   node bench_jsonata.mjs gen FILE N           write {"items": [N items]}
//   node bench_jsonata.mjs run PEERS CASES DATASET_DIR SECONDS
//       compile each case once, evaluate it for SECONDS/3 (warm-up), then
//       for SECONDS; print NAME <TAB> EVALUATIONS_PER_SECOND <TAB> RESULT,
//       as bench_jsonata (the C driver) does
//   node bench_jsonata.mjs report CASES BATON_OUT... -- REFERENCE_OUT...
//       medians per case, the ratio Baton/reference, and whether the
//       results agree; cases marked "floor" (what an evaluation of the
//       dataset costs besides the expression) stay out of the mean
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

// xorshift32: the same dataset on every machine.
function generate(file, n) {
    let s = 2463534242;
    const rnd = () => {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        return (s >>> 0) / 4294967296;
    };
    const items = [];
    for (let i = 0; i < n; i++) {
        items.push({
            id: i,
            name: `item-${i}`,
            category: `c${Math.floor(rnd() * 10)}`,
            price: Math.round(rnd() * 10000) / 100,
            qty: Math.floor(rnd() * 20),
            active: rnd() < 0.5,
            tags: [`t${Math.floor(rnd() * 5)}`, `t${Math.floor(rnd() * 5)}`],
            created: new Date(1.5e12 + Math.floor(rnd() * 1e10)).toISOString(),
        });
    }
    writeFileSync(file, JSON.stringify({ items }));
}

function describe(value) {
    return value === undefined ? 'undefined' : JSON.stringify(value);
}

async function measure(expr, input, seconds) {
    const start = process.hrtime.bigint();
    let n = 0, elapsed;
    do {
        await expr.evaluate(input);
        n++;
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < seconds);
    return n / elapsed;
}

async function run(peers, casesFile, dir, seconds) {
    const require = createRequire(import.meta.url);
    const jsonata = require(resolve(peers, 'node_modules', 'jsonata'));
    const cases = JSON.parse(readFileSync(casesFile, 'utf8'));
    const sets = new Map();
    for (const c of cases) {
        if (!sets.has(c.dataset))
            sets.set(c.dataset, JSON.parse(
                readFileSync(resolve(dir, `${c.dataset}.json`), 'utf8')));
        const input = sets.get(c.dataset);
        let expr, result;
        try {
            expr = jsonata(c.expr);
            result = describe(await expr.evaluate(input));
        } catch (e) {
            console.log(`${c.name}\t0\terror ${e.code}`);
            continue;
        }
        await measure(expr, input, seconds / 3);
        const rate = await measure(expr, input, seconds);
        console.log(`${c.name}\t${rate.toFixed(1)}\t${result}`);
    }
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Equal as JSON values, numbers within a relative 1e-9 (printing differs:
// JavaScript's shortest round trip against json-c's %.17g).
function same(a, b) {
    if (typeof a === 'number' && typeof b === 'number')
        return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    if (Array.isArray(a) && Array.isArray(b))
        return a.length === b.length && a.every((x, i) => same(x, b[i]));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
        const ka = Object.keys(a), kb = Object.keys(b);
        return ka.length === kb.length && ka.every(k => k in b && same(a[k], b[k]));
    }
    return a === b;
}

function parseResult(text) {
    try {
        return { v: JSON.parse(text) };
    } catch {
        return { text };
    }
}

function load(files) {
    const rates = new Map(), results = new Map();
    for (const f of files) {
        for (const line of readFileSync(f, 'utf8').split('\n')) {
            if (!line) continue;
            const [name, rate, ...rest] = line.split('\t');
            if (!rates.has(name)) rates.set(name, []);
            rates.get(name).push(Number(rate));
            results.set(name, rest.join('\t'));
        }
    }
    return { rates, results };
}

function report(casesFile, baton, reference) {
    const cases = JSON.parse(readFileSync(casesFile, 'utf8'));
    const b = load(baton), r = load(reference);
    const fmt = x => x >= 100 ? x.toFixed(0) : x.toFixed(1);
    const rows = [['case', 'Baton eval/s', 'jsonata eval/s', 'Baton/jsonata', 'same result']];
    const ratios = [];
    for (const c of cases) {
        const br = median(b.rates.get(c.name) ?? [0]);
        const rr = median(r.rates.get(c.name) ?? [0]);
        const ra = parseResult(b.results.get(c.name) ?? ''), rb = parseResult(r.results.get(c.name) ?? '');
        const agree = 'v' in ra && 'v' in rb ? same(ra.v, rb.v) : ra.text === rb.text;
        const ratio = rr > 0 ? br / rr : NaN;
        if (!c.floor) ratios.push(ratio);
        const shown = ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2);
        rows.push([c.floor ? `${c.name} (floor)` : c.name, fmt(br), fmt(rr), `${shown}x`, agree ? 'yes' : 'NO']);
    }
    const geo = Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length);
    rows.push(['geometric mean, without floors', '', '', `${geo.toFixed(2)}x`, '']);
    const widths = rows[0].map((_, i) => Math.max(...rows.map(row => row[i].length)));
    const line = row => '| ' + row.map((cell, i) => i ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join(' | ') + ' |';
    console.log(line(rows[0]));
    console.log('|' + widths.map((w, i) => i ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2)).join('|') + '|');
    for (const row of rows.slice(1)) console.log(line(row));
    console.log(`\nrounds: ${b.rates.values().next().value?.length ?? 0} Baton, ` +
        `${r.rates.values().next().value?.length ?? 0} jsonata (medians shown)`);
    console.log('A floor case measures what every evaluation of its dataset costs ' +
        'besides the expression: for Baton, converting the json-c input.');
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'gen') {
    generate(args[0], Number(args[1]));
} else if (mode === 'run') {
    await run(args[0], args[1], args[2], Number(args[3]));
} else if (mode === 'report') {
    const sep = args.indexOf('--');
    report(args[0], args.slice(1, sep), args.slice(sep + 1));
} else {
    console.error('usage: bench_jsonata.mjs gen|run|report ...');
    process.exit(2);
}
