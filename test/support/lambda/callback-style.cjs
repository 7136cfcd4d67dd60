/* global setTimeout */
// A Lambda trigger in the older callback style (CommonJS), served unchanged by the adapter.
exports.handler = function (event, context, callback) {
  if (event.userName === 'refused') {
    callback(new Error('Not this one'), event);
    return;
  }
  setTimeout(() => {
    event.response.calledBack = context.functionName;
    callback(null, event);
  }, 10);
};
