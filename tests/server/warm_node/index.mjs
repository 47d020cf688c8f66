export const handler = async (event, context) => {
  if (event.fail) {
    const e = new Error("no such order");
    e.name = "Order.Missing";
    throw e;
  }
  return { pid: process.pid, requestId: context.awsRequestId,
           arn: context.invokedFunctionArn,
           remaining: context.getRemainingTimeInMillis(), event };
};
