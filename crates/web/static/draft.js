// Report drafts: every change is kept in this browser (localStorage), so a
// lost connection or a reload loses nothing, and sent to the server when
// online, so another device finds it too. A draft made on an older version
// of the report (another tab saved since) is not offered back.
(function () {
  var form = document.getElementById("report-form");
  if (!form) return;
  var key = form.dataset.draftKey, stamp = form.dataset.draftStamp;
  var state = document.getElementById("draft-state");
  var say = function (t) { if (state) state.textContent = t; };
  var fields = function () {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "_csrf" && el.name !== "stamp" && el.name !== "version" && el.type !== "submit") out[el.name] = el.value;
    });
    return out;
  };
  var fill = function (d) {
    Object.keys(d).forEach(function (k) { if (form.elements[k] && form.elements[k].value !== d[k]) form.elements[k].value = d[k]; });
  };
  var parse = function (s) { try { return JSON.parse(s); } catch (e) { return null; } };
  var local = parse(localStorage.getItem(key) || "");
  var server = parse(form.dataset.serverDraft || "");
  var best = [local, server].filter(function (d) { return d && d.stamp === stamp && d.fields; })
    .sort(function (a, b) { return b.at - a.at; })[0];
  if (best && !document.querySelector(".has-err")) { fill(best.fields); say("Đã khôi phục bản nháp chưa gửi (" + new Date(best.at).toLocaleString("vi-VN") + ")."); }
  var timer = null;
  var keep = function () {
    var d = { stamp: stamp, at: Date.now(), fields: fields() };
    var body = JSON.stringify(d);
    try { localStorage.setItem(key, body); } catch (e) {}
    say("Đã lưu nháp trên máy này.");
    clearTimeout(timer);
    timer = setTimeout(function () {
      var csrf = form.elements["_csrf"].value;
      fetch(form.dataset.draftUrl, { method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "text/plain;charset=UTF-8" }, body: body })
        .then(function (r) { if (r.ok) say("Đã lưu nháp (cả trên máy chủ)."); })
        .catch(function () { say("Mất kết nối: bản nháp vẫn được giữ trên máy này."); });
    }, 800);
  };
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  // A report that was saved clears its draft here: the page came back with a new stamp.
  Object.keys(localStorage).forEach(function (k) {
    var d = k === key ? parse(localStorage.getItem(k)) : null;
    if (d && d.stamp !== stamp) localStorage.removeItem(k);
  });
})();
