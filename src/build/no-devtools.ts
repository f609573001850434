/** Stands in for react-devtools-core, which Ink loads only under DEV=true. */
export default { connectToDevTools() {} };
