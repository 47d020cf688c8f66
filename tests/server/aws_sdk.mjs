// `baton serve` driven by the AWS SDK for JavaScript v3 (@aws-sdk/client-sfn)
// through the whole life of state machines and executions, and the errors
// AWS gives for bad requests. Every expected value comes from the reference
// (asl-reference §11 and §12) or AWS's API documentation, checked field by
// field on what the SDK hands back: dates as Date objects, errors as the
// SDK's exception classes with AWS's names and messages.
//
// Run by aws_sdk_js.sh with PORT (the server's port) and SDK_DIR (a folder
// whose node_modules holds @aws-sdk/client-sfn). The steps share state and
// run in order; a failed step fails the run.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(`${process.env.SDK_DIR}/`);
const sfn = require("@aws-sdk/client-sfn");

const client = new sfn.SFNClient({
    endpoint: `http://127.0.0.1:${process.env.PORT}`,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    // StartSyncExecution carries the endpoint prefix "sync-"; without this
    // the SDK would send it to the host sync-127.0.0.1.
    disableHostPrefix: true,
    // One attempt: a retried request would hide a server error.
    maxAttempts: 1,
});

const ACCOUNT = "123456789012";
const ARN = `arn:aws:states:us-east-1:${ACCOUNT}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/sdk-test`;
const UUID =
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Definitions. PASS is laid out by hand (spaces, new lines, a non-ASCII
// character and an escaped slash) so that "byte for byte" means something.
const PASS =
    '{\n  "Comment" : "caf\u00e9 \\/ pass",\n' +
    '  "StartAt":"P",   "States": {"P": {"Type": "Pass", "End": true}}\n}';
const PASS2 = JSON.stringify({
    Comment: "v2",
    StartAt: "P",
    States: { P: { Type: "Pass", Result: { v: 2 }, End: true } },
});
const WAIT = JSON.stringify({
    StartAt: "W",
    States: { W: { Type: "Wait", Seconds: 30, End: true } },
});
// Pass -> Choice -> Wait (0 s) -> Succeed: no Task, so the reference's
// canonical sequences (§11.3) give the whole history.
const FLOW = JSON.stringify({
    StartAt: "P",
    States: {
        P: { Type: "Pass", Result: { n: 1 }, ResultPath: "$.r", Next: "C" },
        C: {
            Type: "Choice",
            Choices: [{ Variable: "$.r.n", NumericEquals: 1, Next: "W" }],
            Default: "F",
        },
        W: { Type: "Wait", Seconds: 0, Next: "S" },
        S: { Type: "Succeed" },
        F: { Type: "Fail", Error: "Unexpected", Cause: "Choice fell through" },
    },
});
const FAIL = JSON.stringify({
    StartAt: "F",
    States: { F: { Type: "Fail", Error: "Boom", Cause: "on purpose" } },
});
// The reference's (§1.4) example of two diagnostics in one message.
const BAD = JSON.stringify({
    StartAt: "pass1",
    States: {
        pass1: { Type: "Pass", Next: "pass3" },
        pass2: { Type: "Pass", End: true },
    },
});
const BAD_MESSAGE =
    "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: " +
    "Missing 'Next' target: pass3 at /States/pass1/Next, " +
    'MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at ' +
    "/States/pass2'";

const T0 = Date.now();
const sm = (name) => `${ARN}:stateMachine:${name}`;
const ex = (machine, name) => `${ARN}:execution:${machine}:${name}`;

async function call(Command, input) {
    return client.send(new Command(input));
}

// The members of an SDK output besides $metadata, checked as an exact set.
function members(out, expected) {
    const got = Object.keys(out)
        .filter((k) => k !== "$metadata" && out[k] !== undefined)
        .sort();
    assert.deepEqual(got, [...expected].sort());
}

function okMeta(out) {
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.match(out.$metadata.requestId, UUID);
    assert.equal(out.$metadata.attempts, 1);
}

// A Date from this run (the server and the test share a clock).
function isNow(d) {
    assert.ok(d instanceof Date, `not a Date: ${d}`);
    assert.ok(
        d.getTime() >= T0 - 2000 && d.getTime() <= Date.now() + 2000,
        `date out of range: ${d.toISOString()}`,
    );
}

// Calls and expects the SDK to throw AWS's error `name` (its exception
// class when the SDK models one) with `message` (a string, or a RegExp).
async function fails(Command, input, name, message) {
    let caught;
    try {
        await call(Command, input);
    } catch (e) {
        caught = e;
    }
    assert.ok(caught, `${Command.name} succeeded; expected ${name}`);
    assert.equal(caught.name, name, caught.stack);
    if (sfn[name]) assert.ok(caught instanceof sfn[name], name);
    assert.equal(caught.$fault, "client");
    assert.equal(caught.$metadata.httpStatusCode, 400);
    assert.equal(caught.$metadata.attempts, 1);
    if (message instanceof RegExp) assert.match(caught.message, message);
    else if (message !== undefined) assert.equal(caught.message, message);
    return caught;
}

async function until(what, fn, ms = 10000) {
    const end = Date.now() + ms;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

async function finished(arn) {
    return until(`${arn} to finish`, async () => {
        const d = await call(sfn.DescribeExecutionCommand, {
            executionArn: arn,
        });
        return d.status !== "RUNNING" && d;
    });
}

const seen = {}; // values later steps compare with

// ---- state machines -------------------------------------------------------

test("CreateStateMachine STANDARD", async () => {
    const r = await call(sfn.CreateStateMachineCommand, {
        name: "pass",
        definition: PASS,
        roleArn: ROLE,
    });
    okMeta(r);
    members(r, ["stateMachineArn", "creationDate"]);
    assert.equal(r.stateMachineArn, sm("pass"));
    isNow(r.creationDate);
    seen.created = r.creationDate;
});

test("CreateStateMachine again with the same definition is idempotent", async () => {
    const r = await call(sfn.CreateStateMachineCommand, {
        name: "pass",
        definition: PASS,
        roleArn: ROLE,
    });
    assert.equal(r.stateMachineArn, sm("pass"));
    assert.equal(r.creationDate.getTime(), seen.created.getTime());
});

test("CreateStateMachine EXPRESS and more STANDARD machines", async () => {
    const make = async (name, definition, type) => {
        const r = await call(sfn.CreateStateMachineCommand, {
            name,
            definition,
            roleArn: ROLE,
            type,
        });
        assert.equal(r.stateMachineArn, sm(name));
        isNow(r.creationDate);
    };
    await make("fast", PASS, "EXPRESS");
    await make("fast-fail", FAIL, "EXPRESS");
    await make("wait", WAIT, "STANDARD");
    await make("flow", FLOW);
    await make("fail", FAIL);
});

test("CreateStateMachine errors", async () => {
    await fails(
        sfn.CreateStateMachineCommand,
        { name: "pass", definition: PASS2, roleArn: ROLE },
        "StateMachineAlreadyExists",
        `State Machine Already Exists: '${sm("pass")}'`,
    );
    await fails(
        sfn.CreateStateMachineCommand,
        { name: "bad", definition: BAD, roleArn: ROLE },
        "InvalidDefinition",
        BAD_MESSAGE,
    );
    await fails(
        sfn.CreateStateMachineCommand,
        { name: "two words", definition: PASS, roleArn: ROLE },
        "InvalidName",
        "Invalid Name: 'two words'",
    );
    // The SDK does not check required members; the server must.
    await fails(
        sfn.CreateStateMachineCommand,
        { name: "norole", definition: PASS },
        "ValidationException",
        "1 validation error detected: Value null at 'roleArn' failed to " +
            "satisfy constraint: Member must not be null",
    );
    await fails(
        sfn.CreateStateMachineCommand,
        { name: "typed", definition: PASS, roleArn: ROLE, type: "FAST" },
        "ValidationException",
        "1 validation error detected: Value 'FAST' at 'type' failed to " +
            "satisfy constraint: Member must satisfy enum value set: " +
            "[STANDARD, EXPRESS]",
    );
});

test("ValidateStateMachineDefinition OK", async () => {
    const r = await call(sfn.ValidateStateMachineDefinitionCommand, {
        definition: FLOW,
    });
    okMeta(r);
    members(r, ["result", "diagnostics", "truncated"]);
    assert.equal(r.result, "OK");
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.truncated, false);
});

test("ValidateStateMachineDefinition FAIL with diagnostics", async () => {
    let r = await call(sfn.ValidateStateMachineDefinitionCommand, {
        definition: "{}",
    });
    assert.equal(r.result, "FAIL");
    assert.equal(r.truncated, false);
    assert.deepEqual(r.diagnostics, [
        {
            severity: "ERROR",
            code: "SCHEMA_VALIDATION_FAILED",
            message: "These fields are required: [States, StartAt]",
            location: "/",
        },
    ]);
    r = await call(sfn.ValidateStateMachineDefinitionCommand, {
        definition: BAD,
    });
    assert.equal(r.result, "FAIL");
    assert.equal(r.truncated, false);
    assert.deepEqual(r.diagnostics, [
        {
            severity: "ERROR",
            code: "MISSING_TRANSITION_TARGET",
            message: "Missing 'Next' target: pass3",
            location: "/States/pass1/Next",
        },
        {
            severity: "ERROR",
            code: "MISSING_TRANSITION_TARGET",
            message: 'State "pass2" is not reachable.',
            location: "/States/pass2",
        },
    ]);
    r = await call(sfn.ValidateStateMachineDefinitionCommand, {
        definition: " ",
    });
    assert.deepEqual(r.diagnostics, [
        {
            severity: "ERROR",
            code: "SCHEMA_VALIDATION_FAILED",
            message: "Definition must be a valid JSON object",
        },
    ]);
    // Two problems, one reported: truncated.
    const two = JSON.stringify({
        StartAt: "A",
        States: {
            A: { Type: "Pass", Next: "X" },
            B: { Type: "Pass", Next: "Y" },
        },
    });
    r = await call(sfn.ValidateStateMachineDefinitionCommand, {
        definition: two,
        maxResults: 1,
    });
    assert.equal(r.result, "FAIL");
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.truncated, true);
    await fails(
        sfn.ValidateStateMachineDefinitionCommand,
        { definition: PASS, maxResults: 101 },
        "ValidationException",
        "1 validation error detected: Value '101' at 'maxResults' failed to " +
            "satisfy constraint: Member must have value less than or equal to 100",
    );
});

test("DescribeStateMachine returns the definition byte for byte", async () => {
    const r = await call(sfn.DescribeStateMachineCommand, {
        stateMachineArn: sm("pass"),
    });
    okMeta(r);
    members(r, [
        "stateMachineArn",
        "name",
        "status",
        "definition",
        "roleArn",
        "type",
        "creationDate",
        "loggingConfiguration",
        "tracingConfiguration",
    ]);
    assert.equal(r.stateMachineArn, sm("pass"));
    assert.equal(r.name, "pass");
    assert.equal(r.status, "ACTIVE");
    assert.equal(r.definition, PASS);
    assert.equal(r.roleArn, ROLE);
    assert.equal(r.type, "STANDARD");
    assert.ok(r.creationDate instanceof Date);
    assert.equal(r.creationDate.getTime(), seen.created.getTime());
    assert.deepEqual(r.loggingConfiguration, {
        level: "OFF",
        includeExecutionData: false,
    });
    assert.deepEqual(r.tracingConfiguration, { enabled: false });

    const fast = await call(sfn.DescribeStateMachineCommand, {
        stateMachineArn: sm("fast"),
    });
    assert.equal(fast.type, "EXPRESS");
    assert.equal(fast.definition, PASS);
    const meta = await call(sfn.DescribeStateMachineCommand, {
        stateMachineArn: sm("pass"),
        includedData: "METADATA_ONLY",
    });
    assert.equal(meta.definition, "{}");
});

test("DescribeStateMachine errors", async () => {
    await fails(
        sfn.DescribeStateMachineCommand,
        { stateMachineArn: sm("nope") },
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${sm("nope")}'`,
    );
    await fails(
        sfn.DescribeStateMachineCommand,
        { stateMachineArn: "nope" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
});

const ALL_MACHINES = ["fail", "fast", "fast-fail", "flow", "pass", "wait"];

test("ListStateMachines with maxResults and nextToken", async () => {
    const names = [];
    let nextToken;
    let pages = 0;
    do {
        const r = await call(sfn.ListStateMachinesCommand, {
            maxResults: 4,
            nextToken,
        });
        pages++;
        assert.ok(r.stateMachines.length <= 4);
        for (const m of r.stateMachines) {
            members(m, ["stateMachineArn", "name", "type", "creationDate"]);
            assert.equal(m.stateMachineArn, sm(m.name));
            isNow(m.creationDate);
            assert.equal(
                m.type,
                m.name.startsWith("fast") ? "EXPRESS" : "STANDARD",
            );
            names.push(m.name);
        }
        nextToken = r.nextToken;
    } while (nextToken);
    assert.equal(pages, 2);
    assert.deepEqual(names, ALL_MACHINES); // sorted by name
});

test("ListStateMachines through the SDK's paginator", async () => {
    const names = [];
    let pages = 0;
    for await (const page of sfn.paginateListStateMachines(
        { client, pageSize: 2 },
        {},
    )) {
        pages++;
        names.push(...page.stateMachines.map((m) => m.name));
    }
    assert.equal(pages, 3);
    assert.deepEqual(names, ALL_MACHINES);
    await fails(
        sfn.ListStateMachinesCommand,
        { nextToken: "garbage" },
        "InvalidToken",
        "Invalid Token: 'Invalid token'",
    );
    await fails(
        sfn.ListStateMachinesCommand,
        { maxResults: 1001 },
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to " +
            "satisfy constraint: Member must have value less than or equal to 1000",
    );
});

// ---- executions -----------------------------------------------------------

test("StartExecution", async () => {
    const r = await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("pass"),
        name: "e1",
        input: '{"x":1}',
    });
    okMeta(r);
    members(r, ["executionArn", "startDate"]);
    assert.equal(r.executionArn, ex("pass", "e1"));
    isNow(r.startDate);
    seen.e1Start = r.startDate;

    // Without a name the server makes up a UUID.
    const anon = await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("pass"),
    });
    const name = anon.executionArn.split(":").pop();
    assert.match(name, UUID);
    assert.equal(anon.executionArn, ex("pass", name));
    seen.anon = anon.executionArn;
});

test("StartExecution is idempotent by name and input while running", async () => {
    const input = '{"a":1}';
    const first = await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("wait"),
        name: "w1",
        input,
    });
    const again = await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("wait"),
        name: "w1",
        input,
    });
    assert.equal(again.executionArn, ex("wait", "w1"));
    assert.equal(again.executionArn, first.executionArn);
    assert.equal(again.startDate.getTime(), first.startDate.getTime());
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: sm("wait"), name: "w1", input: '{"a":2}' },
        "ExecutionAlreadyExists",
        `Execution Already Exists: '${ex("wait", "w1")}'`,
    );
    await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("wait"),
        name: "w2",
    });
});

test("StartExecution errors", async () => {
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: sm("pass"), input: "" },
        "InvalidExecutionInput",
        "Invalid State Machine Execution Input: 'Invalid execution input.'",
    );
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: sm("pass"), input: "{nope" },
        "InvalidExecutionInput",
        /^Invalid State Machine Execution Input: '.+'$/s,
    );
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: sm("pass"), name: "a/b" },
        "InvalidName",
        "Invalid Name: 'a/b'",
    );
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: sm("nope") },
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${sm("nope")}'`,
    );
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: "nope" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
});

test("DescribeExecution of a SUCCEEDED execution", async () => {
    const d = await finished(ex("pass", "e1"));
    okMeta(d);
    members(d, [
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "stopDate",
        "input",
        "inputDetails",
        "output",
        "outputDetails",
        "redriveCount",
        "redriveStatus",
        "redriveStatusReason",
    ]);
    assert.equal(d.executionArn, ex("pass", "e1"));
    assert.equal(d.stateMachineArn, sm("pass"));
    assert.equal(d.name, "e1");
    assert.equal(d.status, "SUCCEEDED");
    assert.equal(d.startDate.getTime(), seen.e1Start.getTime());
    isNow(d.stopDate);
    assert.ok(d.stopDate >= d.startDate);
    assert.deepEqual(JSON.parse(d.input), { x: 1 });
    assert.deepEqual(JSON.parse(d.output), { x: 1 });
    assert.deepEqual(d.inputDetails, { included: true });
    assert.deepEqual(d.outputDetails, { included: true });
    assert.equal(d.redriveCount, 0);
    assert.equal(d.redriveStatus, "NOT_REDRIVABLE");
    assert.equal(
        d.redriveStatusReason,
        "Execution is SUCCEEDED and cannot be redriven",
    );
    // A finished execution's name cannot be used again, even with the same
    // input.
    await fails(
        sfn.StartExecutionCommand,
        { stateMachineArn: sm("pass"), name: "e1", input: '{"x":1}' },
        "ExecutionAlreadyExists",
        `Execution Already Exists: '${ex("pass", "e1")}'`,
    );
});

test("DescribeExecution of RUNNING and FAILED executions", async () => {
    const w = await call(sfn.DescribeExecutionCommand, {
        executionArn: ex("wait", "w1"),
    });
    members(w, [
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "input",
        "inputDetails",
        "redriveCount",
        "redriveStatus",
        "redriveStatusReason",
    ]);
    assert.equal(w.status, "RUNNING");
    assert.equal(w.input, '{"a":1}');
    assert.equal(w.redriveStatus, "NOT_REDRIVABLE");
    assert.equal(
        w.redriveStatusReason,
        "Execution is RUNNING and cannot be redriven",
    );

    await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("fail"),
        name: "f1",
    });
    const f = await finished(ex("fail", "f1"));
    members(f, [
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "stopDate",
        "input",
        "inputDetails",
        "error",
        "cause",
        "redriveCount",
        "redriveStatus",
    ]);
    assert.equal(f.status, "FAILED");
    assert.equal(f.error, "Boom");
    assert.equal(f.cause, "on purpose");
    assert.deepEqual(JSON.parse(f.input), {}); // absent input is {}
    assert.equal(f.redriveStatus, "REDRIVABLE");
});

test("DescribeExecution errors", async () => {
    await fails(
        sfn.DescribeExecutionCommand,
        { executionArn: ex("pass", "nope") },
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${ex("pass", "nope")}'`,
    );
    await fails(
        sfn.DescribeExecutionCommand,
        { executionArn: "x" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: x'",
    );
});

test("ListExecutions with statusFilter and pagination", async () => {
    await finished(seen.anon);
    let r = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("wait"),
        statusFilter: "RUNNING",
    });
    okMeta(r);
    // Newest first.
    assert.deepEqual(
        r.executions.map((x) => x.name),
        ["w2", "w1"],
    );
    const item = r.executions[1];
    members(item, [
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "redriveCount",
    ]);
    assert.equal(item.executionArn, ex("wait", "w1"));
    assert.equal(item.stateMachineArn, sm("wait"));
    assert.equal(item.status, "RUNNING");
    isNow(item.startDate);
    assert.equal(item.redriveCount, 0);
    assert.equal(r.nextToken, undefined);

    r = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("pass"),
        statusFilter: "RUNNING",
    });
    assert.deepEqual(r.executions, []);
    r = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("pass"),
        statusFilter: "SUCCEEDED",
    });
    assert.deepEqual(
        r.executions.map((x) => x.executionArn),
        [seen.anon, ex("pass", "e1")],
    );
    members(r.executions[1], [
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "stopDate",
        "redriveCount",
    ]);
    assert.ok(r.executions[1].stopDate instanceof Date);
    r = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("pass"),
        statusFilter: "ABORTED",
    });
    assert.deepEqual(r.executions, []);

    r = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("wait"),
        maxResults: 1,
    });
    assert.deepEqual(
        r.executions.map((x) => x.name),
        ["w2"],
    );
    assert.ok(r.nextToken);
    r = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("wait"),
        maxResults: 1,
        nextToken: r.nextToken,
    });
    assert.deepEqual(
        r.executions.map((x) => x.name),
        ["w1"],
    );
    assert.equal(r.nextToken, undefined);

    const names = [];
    for await (const page of sfn.paginateListExecutions(
        { client, pageSize: 1 },
        { stateMachineArn: sm("wait"), statusFilter: "RUNNING" },
    ))
        names.push(...page.executions.map((x) => x.name));
    assert.deepEqual(names, ["w2", "w1"]);
});

test("ListExecutions errors", async () => {
    await fails(
        sfn.ListExecutionsCommand,
        { stateMachineArn: sm("wait"), statusFilter: "succeeded" },
        "ValidationException",
        "1 validation error detected: Value 'succeeded' at 'statusFilter' " +
            "failed to satisfy constraint: Member must satisfy enum value set: " +
            "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
    await fails(
        sfn.ListExecutionsCommand,
        { stateMachineArn: sm("nope") },
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${sm("nope")}'`,
    );
    await fails(
        sfn.ListExecutionsCommand,
        { stateMachineArn: sm("fast") },
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    );
    await fails(
        sfn.ListExecutionsCommand,
        { stateMachineArn: sm("wait"), nextToken: "garbage" },
        "InvalidToken",
        "Invalid Token: 'Invalid token'",
    );
});

test("GetExecutionHistory of a Pass execution", async () => {
    const r = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("pass", "e1"),
    });
    okMeta(r);
    members(r, ["events"]);
    const ev = r.events;
    assert.deepEqual(
        ev.map((e) => [e.id, e.previousEventId, e.type]),
        [
            [1, 0, "ExecutionStarted"],
            [2, 0, "PassStateEntered"],
            [3, 2, "PassStateExited"],
            [4, 3, "ExecutionSucceeded"],
        ],
    );
    for (const e of ev) {
        isNow(e.timestamp);
        // The envelope plus exactly one details member.
        assert.equal(
            Object.keys(e).filter((k) => e[k] !== undefined).length,
            5,
        );
    }
    for (let i = 1; i < ev.length; i++)
        assert.ok(ev[i].timestamp >= ev[i - 1].timestamp);
    const started = ev[0].executionStartedEventDetails;
    members(started, ["input", "inputDetails", "roleArn"]);
    assert.deepEqual(JSON.parse(started.input), { x: 1 });
    assert.deepEqual(started.inputDetails, { truncated: false });
    assert.equal(started.roleArn, ROLE);
    const entered = ev[1].stateEnteredEventDetails;
    members(entered, ["name", "input", "inputDetails"]);
    assert.equal(entered.name, "P");
    assert.deepEqual(JSON.parse(entered.input), { x: 1 });
    const exited = ev[2].stateExitedEventDetails;
    assert.equal(exited.name, "P");
    assert.deepEqual(JSON.parse(exited.output), { x: 1 });
    assert.deepEqual(exited.outputDetails, { truncated: false });
    const done = ev[3].executionSucceededEventDetails;
    members(done, ["output", "outputDetails"]);
    assert.deepEqual(JSON.parse(done.output), { x: 1 });
    seen.e1Events = ev;
});

test("GetExecutionHistory reverseOrder, pages and includeExecutionData", async () => {
    let r = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("pass", "e1"),
        reverseOrder: true,
    });
    assert.deepEqual(
        r.events.map((e) => e.id),
        [4, 3, 2, 1],
    );
    assert.deepEqual(r.events, [...seen.e1Events].reverse());

    r = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("pass", "e1"),
        reverseOrder: true,
        maxResults: 3,
    });
    assert.deepEqual(
        r.events.map((e) => e.id),
        [4, 3, 2],
    );
    const token = r.nextToken;
    assert.ok(token);
    r = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("pass", "e1"),
        reverseOrder: true,
        maxResults: 3,
        nextToken: token,
    });
    assert.deepEqual(
        r.events.map((e) => e.id),
        [1],
    );
    assert.equal(r.nextToken, undefined);
    // A token belongs to its arguments.
    await fails(
        sfn.GetExecutionHistoryCommand,
        { executionArn: ex("pass", "e1"), nextToken: token },
        "InvalidToken",
        "Invalid Token: 'Invalid token'",
    );

    const ids = [];
    for await (const page of sfn.paginateGetExecutionHistory(
        { client, pageSize: 1 },
        { executionArn: ex("pass", "e1") },
    ))
        ids.push(...page.events.map((e) => e.id));
    assert.deepEqual(ids, [1, 2, 3, 4]);

    r = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("pass", "e1"),
        includeExecutionData: false,
    });
    assert.deepEqual(r.events[0].executionStartedEventDetails, {
        roleArn: ROLE,
    });
    assert.deepEqual(r.events[1].stateEnteredEventDetails, { name: "P" });
    assert.deepEqual(r.events[2].stateExitedEventDetails, { name: "P" });
    assert.deepEqual(r.events[3].executionSucceededEventDetails, {});
});

test("GetExecutionHistory of Pass, Choice, Wait and Succeed", async () => {
    await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("flow"),
        name: "f1",
        input: '{"x":"y"}',
    });
    const d = await finished(ex("flow", "f1"));
    assert.equal(d.status, "SUCCEEDED");
    assert.deepEqual(JSON.parse(d.output), { x: "y", r: { n: 1 } });
    const r = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("flow", "f1"),
    });
    // §11.3 and §11.4: each event follows the one before it; the first
    // StateEntered points at 0.
    assert.deepEqual(
        r.events.map((e) => [e.id, e.previousEventId, e.type]),
        [
            [1, 0, "ExecutionStarted"],
            [2, 0, "PassStateEntered"],
            [3, 2, "PassStateExited"],
            [4, 3, "ChoiceStateEntered"],
            [5, 4, "ChoiceStateExited"],
            [6, 5, "WaitStateEntered"],
            [7, 6, "WaitStateExited"],
            [8, 7, "SucceedStateEntered"],
            [9, 8, "SucceedStateExited"],
            [10, 9, "ExecutionSucceeded"],
        ],
    );
    const names = r.events
        .filter((e) => e.stateEnteredEventDetails || e.stateExitedEventDetails)
        .map(
            (e) => (e.stateEnteredEventDetails || e.stateExitedEventDetails).name,
        );
    assert.deepEqual(names, ["P", "P", "C", "C", "W", "W", "S", "S"]);
    assert.deepEqual(
        JSON.parse(r.events[2].stateExitedEventDetails.output),
        { x: "y", r: { n: 1 } },
    );

    const f = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("fail", "f1"),
    });
    assert.deepEqual(
        f.events.map((e) => [e.id, e.previousEventId, e.type]),
        [
            [1, 0, "ExecutionStarted"],
            [2, 0, "FailStateEntered"],
            [3, 2, "ExecutionFailed"],
        ],
    );
    assert.deepEqual(f.events[2].executionFailedEventDetails, {
        error: "Boom",
        cause: "on purpose",
    });
});

test("GetExecutionHistory errors", async () => {
    await fails(
        sfn.GetExecutionHistoryCommand,
        { executionArn: ex("pass", "nope") },
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${ex("pass", "nope")}'`,
    );
    await fails(
        sfn.GetExecutionHistoryCommand,
        { executionArn: "nope" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
});

test("StopExecution of a waiting execution", async () => {
    const r = await call(sfn.StopExecutionCommand, {
        executionArn: ex("wait", "w1"),
        error: "Bored",
        cause: "test over",
    });
    okMeta(r);
    members(r, ["stopDate"]);
    isNow(r.stopDate);
    const d = await call(sfn.DescribeExecutionCommand, {
        executionArn: ex("wait", "w1"),
    });
    assert.equal(d.status, "ABORTED");
    assert.equal(d.error, "Bored");
    assert.equal(d.cause, "test over");
    assert.equal(d.stopDate.getTime(), r.stopDate.getTime());
    assert.equal(d.output, undefined);
    assert.equal(d.redriveStatus, "REDRIVABLE");
    assert.equal(d.redriveStatusReason, undefined);
    const h = await call(sfn.GetExecutionHistoryCommand, {
        executionArn: ex("wait", "w1"),
    });
    // §11.3 "Stop": ExecutionAborted right after WaitStateEntered, prev 0.
    assert.deepEqual(
        h.events.map((e) => [e.id, e.previousEventId, e.type]),
        [
            [1, 0, "ExecutionStarted"],
            [2, 0, "WaitStateEntered"],
            [3, 0, "ExecutionAborted"],
        ],
    );
    assert.deepEqual(h.events[2].executionAbortedEventDetails, {
        error: "Bored",
        cause: "test over",
    });
    const running = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("wait"),
        statusFilter: "RUNNING",
    });
    assert.deepEqual(
        running.executions.map((x) => x.name),
        ["w2"],
    );
    const aborted = await call(sfn.ListExecutionsCommand, {
        stateMachineArn: sm("wait"),
        statusFilter: "ABORTED",
    });
    assert.deepEqual(
        aborted.executions.map((x) => x.name),
        ["w1"],
    );
});

test("StopExecution errors", async () => {
    await fails(
        sfn.StopExecutionCommand,
        { executionArn: ex("wait", "nope") },
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${ex("wait", "nope")}'`,
    );
    await fails(
        sfn.StopExecutionCommand,
        { executionArn: "nope" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
});

test("StartSyncExecution on EXPRESS machines", async () => {
    const r = await call(sfn.StartSyncExecutionCommand, {
        stateMachineArn: sm("fast"),
        name: "s1",
        input: '{"k":"v"}',
    });
    okMeta(r);
    members(r, [
        "executionArn",
        "stateMachineArn",
        "name",
        "startDate",
        "stopDate",
        "status",
        "input",
        "inputDetails",
        "output",
        "outputDetails",
        "billingDetails",
    ]);
    const parts = r.executionArn.split(":");
    assert.equal(parts.slice(0, -1).join(":"), `${ARN}:express:fast:s1`);
    assert.match(parts.at(-1), UUID);
    assert.equal(r.stateMachineArn, sm("fast"));
    assert.equal(r.name, "s1");
    assert.equal(r.status, "SUCCEEDED");
    isNow(r.startDate);
    isNow(r.stopDate);
    assert.ok(r.stopDate >= r.startDate);
    assert.deepEqual(JSON.parse(r.input), { k: "v" });
    assert.deepEqual(JSON.parse(r.output), { k: "v" });
    assert.deepEqual(r.inputDetails, { included: true });
    assert.deepEqual(r.outputDetails, { included: true });
    assert.deepEqual(Object.keys(r.billingDetails).sort(), [
        "billedDurationInMilliseconds",
        "billedMemoryUsedInMB",
    ]);
    seen.express = r.executionArn;

    // A failed workflow is still a 200 with status FAILED.
    const f = await call(sfn.StartSyncExecutionCommand, {
        stateMachineArn: sm("fast-fail"),
    });
    assert.equal(f.status, "FAILED");
    assert.equal(f.error, "Boom");
    assert.equal(f.cause, "on purpose");
    assert.equal(f.output, undefined);
    assert.match(f.name, UUID);
});

test("StartSyncExecution and express ARN errors", async () => {
    await fails(
        sfn.StartSyncExecutionCommand,
        { stateMachineArn: sm("pass") },
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    );
    await fails(
        sfn.StartSyncExecutionCommand,
        { stateMachineArn: sm("fast"), input: "[" },
        "InvalidExecutionInput",
        /^Invalid State Machine Execution Input: '.+'$/s,
    );
    const express =
        "Invalid Arn: 'Resource type not valid in this context: express'";
    for (const Command of [
        sfn.DescribeExecutionCommand,
        sfn.GetExecutionHistoryCommand,
        sfn.StopExecutionCommand,
    ])
        await fails(
            Command,
            { executionArn: seen.express },
            "InvalidArn",
            express,
        );
});

// ---- updates and deletes --------------------------------------------------

test("DescribeStateMachineForExecution before any update", async () => {
    const r = await call(sfn.DescribeStateMachineForExecutionCommand, {
        executionArn: ex("pass", "e1"),
    });
    okMeta(r);
    members(r, [
        "stateMachineArn",
        "name",
        "definition",
        "roleArn",
        "updateDate",
        "loggingConfiguration",
        "tracingConfiguration",
    ]);
    assert.equal(r.stateMachineArn, sm("pass"));
    assert.equal(r.name, "pass");
    assert.equal(r.definition, PASS);
    assert.equal(r.roleArn, ROLE);
    // Never updated: updateDate is the creation date.
    assert.equal(r.updateDate.getTime(), seen.created.getTime());
});

test("UpdateStateMachine gives a revisionId", async () => {
    const r = await call(sfn.UpdateStateMachineCommand, {
        stateMachineArn: sm("pass"),
        definition: PASS2,
    });
    okMeta(r);
    members(r, ["updateDate", "revisionId"]);
    isNow(r.updateDate);
    assert.match(r.revisionId, UUID);
    seen.revision = r;

    // The same configuration again: the same revision.
    const same = await call(sfn.UpdateStateMachineCommand, {
        stateMachineArn: sm("pass"),
        definition: PASS2,
    });
    assert.equal(same.revisionId, r.revisionId);

    const d = await call(sfn.DescribeStateMachineCommand, {
        stateMachineArn: sm("pass"),
    });
    assert.equal(d.definition, PASS2);
    assert.equal(d.revisionId, r.revisionId);
    assert.equal(d.creationDate.getTime(), seen.created.getTime());
});

test("DescribeStateMachineForExecution follows the revision", async () => {
    // e1 ran the first revision and keeps it.
    let r = await call(sfn.DescribeStateMachineForExecutionCommand, {
        executionArn: ex("pass", "e1"),
    });
    assert.equal(r.definition, PASS);
    assert.equal(r.revisionId, undefined);

    await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("pass"),
        name: "e2",
    });
    const d = await finished(ex("pass", "e2"));
    assert.deepEqual(JSON.parse(d.output), { v: 2 });
    r = await call(sfn.DescribeStateMachineForExecutionCommand, {
        executionArn: ex("pass", "e2"),
    });
    assert.equal(r.definition, PASS2);
    assert.equal(r.revisionId, seen.revision.revisionId);
    assert.equal(r.updateDate.getTime(), seen.revision.updateDate.getTime());

    await fails(
        sfn.DescribeStateMachineForExecutionCommand,
        { executionArn: ex("pass", "nope") },
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${ex("pass", "nope")}'`,
    );
});

test("UpdateStateMachine errors", async () => {
    await fails(
        sfn.UpdateStateMachineCommand,
        { stateMachineArn: sm("pass") },
        "MissingRequiredParameter",
        "Either the definition, the role ARN, the LoggingConfiguration, or " +
            "the TracingConfiguration must be specified",
    );
    await fails(
        sfn.UpdateStateMachineCommand,
        { stateMachineArn: sm("pass"), definition: BAD },
        "InvalidDefinition",
        BAD_MESSAGE,
    );
    await fails(
        sfn.UpdateStateMachineCommand,
        { stateMachineArn: sm("nope"), definition: PASS },
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${sm("nope")}'`,
    );
    await fails(
        sfn.UpdateStateMachineCommand,
        { stateMachineArn: "nope", definition: PASS },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
});

// ==== Activities and task tokens (reference §7.4, §7.5, §12.6) ===========
// The server runs with --poll-timeout 1 and a function "keep" that writes
// its payload (holding $$.Task.Token) to TOKEN_FILE.
import { existsSync, readFileSync, unlinkSync } from "node:fs";

const ACT = `${ARN}:activity:sdk-work`;

async function history(arn) {
    const h = await call(sfn.GetExecutionHistoryCommand, { executionArn: arn });
    return h.events;
}

test("CreateActivity, DescribeActivity, ListActivities", async () => {
    const r = await call(sfn.CreateActivityCommand, { name: "sdk-work" });
    okMeta(r);
    members(r, ["activityArn", "creationDate"]);
    assert.equal(r.activityArn, ACT);
    isNow(r.creationDate);
    const again = await call(sfn.CreateActivityCommand, { name: "sdk-work" });
    assert.equal(again.creationDate.getTime(), r.creationDate.getTime());
    const d = await call(sfn.DescribeActivityCommand, { activityArn: ACT });
    members(d, ["activityArn", "name", "creationDate", "encryptionConfiguration"]);
    assert.equal(d.name, "sdk-work");
    assert.deepEqual(d.encryptionConfiguration, { type: "AWS_OWNED_KEY" });
    const l = await call(sfn.ListActivitiesCommand, {});
    assert.deepEqual(
        l.activities.map((a) => [a.name, a.activityArn]),
        [["sdk-work", ACT]],
    );
    isNow(l.activities[0].creationDate);
});

test("Activity errors", async () => {
    await fails(
        sfn.DescribeActivityCommand,
        { activityArn: `${ARN}:activity:none` },
        "ActivityDoesNotExist",
        `Activity Does Not Exist: '${ARN}:activity:none'`,
    );
    await fails(
        sfn.GetActivityTaskCommand,
        { activityArn: `${ARN}:activity:none` },
        "ActivityDoesNotExist",
    );
    await fails(
        sfn.CreateActivityCommand,
        { name: "no spaces" },
        "InvalidName",
        "Invalid Name: 'no spaces'",
    );
    await fails(
        sfn.DescribeActivityCommand,
        { activityArn: "nope" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
});

test("GetActivityTask with no task answers without a token", async () => {
    const r = await call(sfn.GetActivityTaskCommand, { activityArn: ACT });
    okMeta(r);
    assert.equal(r.taskToken, undefined);
    assert.equal(r.input, undefined);
});

test("An activity task: poll, heartbeat, success", async () => {
    await call(sfn.CreateStateMachineCommand, {
        name: "sdk-act",
        roleArn: ROLE,
        definition: JSON.stringify({
            StartAt: "A",
            States: { A: { Type: "Task", Resource: ACT, End: true } },
        }),
    });
    const s = await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("sdk-act"),
        input: '{"job":1}',
    });
    const t = await call(sfn.GetActivityTaskCommand, {
        activityArn: ACT,
        workerName: "sdk",
    });
    members(t, ["taskToken", "input"]);
    assert.deepEqual(JSON.parse(t.input), { job: 1 });
    okMeta(await call(sfn.SendTaskHeartbeatCommand, { taskToken: t.taskToken }));
    const ok = await call(sfn.SendTaskSuccessCommand, {
        taskToken: t.taskToken,
        output: '{"done":true}',
    });
    members(ok, []);
    const d = await finished(s.executionArn);
    assert.equal(d.status, "SUCCEEDED");
    assert.deepEqual(JSON.parse(d.output), { done: true });
    const ev = await history(s.executionArn);
    assert.deepEqual(
        ev.map((e) => e.type),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded",
        ],
    );
    assert.equal(ev[2].activityScheduledEventDetails.resource, ACT);
    assert.deepEqual(ev[3].activityStartedEventDetails, { workerName: "sdk" });
    // The task is closed now; a token of the wrong shape is invalid.
    await fails(
        sfn.SendTaskSuccessCommand,
        { taskToken: t.taskToken, output: "{}" },
        "TaskTimedOut",
    );
    await fails(
        sfn.SendTaskHeartbeatCommand,
        { taskToken: "garbled" },
        "InvalidToken",
        "Invalid Token: 'Invalid token'",
    );
});

test("A callback task: $$.Task.Token, TaskSubmitted, SendTaskFailure", async () => {
    const file = process.env.TOKEN_FILE;
    if (existsSync(file)) unlinkSync(file);
    await call(sfn.CreateStateMachineCommand, {
        name: "sdk-cb",
        roleArn: ROLE,
        definition: JSON.stringify({
            StartAt: "T",
            States: {
                T: {
                    Type: "Task",
                    Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    Parameters: {
                        FunctionName: "keep",
                        Payload: { "token.$": "$$.Task.Token" },
                    },
                    End: true,
                },
            },
        }),
    });
    const s = await call(sfn.StartExecutionCommand, {
        stateMachineArn: sm("sdk-cb"),
    });
    await until("the callback's payload", () => existsSync(file));
    const token = JSON.parse(readFileSync(file, "utf8")).token;
    await until("TaskSubmitted", async () =>
        (await history(s.executionArn)).some((e) => e.type === "TaskSubmitted"),
    );
    await fails(
        sfn.SendTaskSuccessCommand,
        { taskToken: token, output: "{not json" },
        "InvalidOutput",
    );
    okMeta(
        await call(sfn.SendTaskFailureCommand, {
            taskToken: token,
            error: "Sdk.Denied",
            cause: "by the test",
        }),
    );
    const d = await finished(s.executionArn);
    assert.equal(d.status, "FAILED");
    assert.equal(d.error, "Sdk.Denied");
    assert.equal(d.cause, "by the test");
    const ev = await history(s.executionArn);
    const types = ev.map((e) => e.type);
    assert.deepEqual(types.slice(2, 6), [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskFailed",
    ]);
    assert.deepEqual(ev[5].taskFailedEventDetails, {
        resourceType: "lambda",
        resource: "invoke.waitForTaskToken",
        error: "Sdk.Denied",
        cause: "by the test",
    });
});

test("TagResource, ListTagsForResource, UntagResource", async () => {
    okMeta(
        await call(sfn.TagResourceCommand, {
            resourceArn: sm("sdk-cb"),
            tags: [
                { key: "team", value: "data" },
                { key: "env", value: "dev" },
            ],
        }),
    );
    await call(sfn.UntagResourceCommand, {
        resourceArn: sm("sdk-cb"),
        tagKeys: ["env"],
    });
    const l = await call(sfn.ListTagsForResourceCommand, {
        resourceArn: sm("sdk-cb"),
    });
    assert.deepEqual(l.tags, [{ key: "team", value: "data" }]);
    await call(sfn.TagResourceCommand, {
        resourceArn: ACT,
        tags: [{ key: "k", value: "v" }],
    });
    assert.deepEqual(
        (await call(sfn.ListTagsForResourceCommand, { resourceArn: ACT })).tags,
        [{ key: "k", value: "v" }],
    );
    await fails(
        sfn.ListTagsForResourceCommand,
        { resourceArn: sm("none") },
        "ResourceNotFound",
        `Resource not found: '${sm("none")}'`,
    );
});

test("DeleteActivity and the machines of these steps", async () => {
    okMeta(await call(sfn.DeleteActivityCommand, { activityArn: ACT }));
    await fails(
        sfn.DescribeActivityCommand,
        { activityArn: ACT },
        "ActivityDoesNotExist",
    );
    for (const n of ["sdk-act", "sdk-cb"])
        await call(sfn.DeleteStateMachineCommand, { stateMachineArn: sm(n) });
});
// ==== end of activities and task tokens =====================================

test("DeleteStateMachine", async () => {
    const r = await call(sfn.DeleteStateMachineCommand, {
        stateMachineArn: sm("wait"),
    });
    okMeta(r);
    members(r, []);
    // Its running execution is stopped; finished ones stay readable.
    const w2 = await call(sfn.DescribeExecutionCommand, {
        executionArn: ex("wait", "w2"),
    });
    assert.equal(w2.status, "ABORTED");
    const w1 = await call(sfn.DescribeExecutionCommand, {
        executionArn: ex("wait", "w1"),
    });
    assert.equal(w1.error, "Bored");
    await fails(
        sfn.DescribeStateMachineCommand,
        { stateMachineArn: sm("wait") },
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${sm("wait")}'`,
    );
    const list = await call(sfn.ListStateMachinesCommand, {});
    assert.deepEqual(
        list.stateMachines.map((m) => m.name),
        ALL_MACHINES.filter((n) => n !== "wait"),
    );
    // Deleting an unknown machine succeeds (AWS); a non-ARN does not.
    const again = await call(sfn.DeleteStateMachineCommand, {
        stateMachineArn: sm("wait"),
    });
    members(again, []);
    await fails(
        sfn.DeleteStateMachineCommand,
        { stateMachineArn: "never" },
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: never'",
    );
});
