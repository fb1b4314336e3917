// Starts GraphiQL against this server's /graphql. Served as a file, not inline, so that
// the page works under a Content-Security-Policy without 'unsafe-inline' scripts.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      headerEditorEnabled: true,
      defaultHeaders: '{"Authorization": "Bearer <token>"}',
    })
  );
})();
