// The dashboard page: keeps the caller's token in this tab (sessionStorage, never a cookie,
// never sent but as a bearer header), asks the server for the view of the chosen area,
// plan, year and language, and shows it. Everything drawn comes from the server, SVG
// included; no other host is ever contacted.
(function () {
  "use strict";
  var KEY = "gdh-dashboard-token";
  var state = { area: "", plan: "", year: "", lang: "vi" };
  var view = document.getElementById("view");
  var form = document.getElementById("sign-in");
  var message = document.getElementById("message");
  var signOut = document.getElementById("sign-out");

  // A link may carry the token and choices in its fragment (#token=…&area=216&lang=en):
  // the fragment never reaches a server; the token is taken out of the address at once.
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem(KEY, fragment.get("token"));
    fragment.delete("token");
  }
  Object.keys(state).forEach(function (k) {
    if (fragment.get(k)) state[k] = fragment.get(k);
  });
  history.replaceState(null, "", window.location.pathname + (fragment.toString() ? "#" + fragment : ""));

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function signedIn(yes) {
    form.hidden = yes;
    signOut.hidden = !yes;
    if (!yes) view.innerHTML = "";
  }

  function load() {
    var token = sessionStorage.getItem(KEY);
    if (!token) {
      signedIn(false);
      return;
    }
    var query = new URLSearchParams();
    Object.keys(state).forEach(function (k) {
      if (state[k]) query.set(k, state[k]);
    });
    document.documentElement.lang = state.lang;
    fetch("/dashboard/view?" + query, { headers: { Authorization: "Bearer " + token } })
      .then(function (response) {
        if (response.ok) return response.text();
        return response.json().then(function (body) {
          var error = (body.errors && body.errors[0]) || {};
          if (response.status === 401) sessionStorage.removeItem(KEY);
          throw new Error(error.message || response.statusText);
        });
      })
      .then(function (html) {
        say("");
        signedIn(true);
        view.innerHTML = html;
        wire();
      })
      .catch(function (e) {
        say(e.message);
        if (!sessionStorage.getItem(KEY)) signedIn(false);
      });
  }

  // The view's choices (area, plan, year, language) reload it.
  function wire() {
    view.querySelectorAll("select[data-choose]").forEach(function (select) {
      select.addEventListener("change", function () {
        state[select.dataset.choose] = select.value;
        if (select.dataset.choose === "area") state.plan = "";
        load();
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById("token").value.trim());
    load();
  });
  signOut.addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    signedIn(false);
  });
  load();
})();
