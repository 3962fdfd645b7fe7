// Totals as you type on the meeting page: each column's sum, and what the two bags of the box
// should hold after the meeting (the balances before + money in − money out), beside the counts.
// The page works without it: "Check" asks the server for the same figures.
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  if (!form) return;
  var BENGALI = "০১২৩৪৫৬৭৮৯";
  var bengali = form.dataset.bengali === "1";
  var price = parseInt(form.dataset.sharePrice, 10) || 0;
  var before = {loan_fund: parseInt(form.dataset.loanFund, 10) || 0, social_fund: parseInt(form.dataset.socialFund, 10) || 0};
  var socialDefault = parseInt(form.dataset.socialDefault, 10) || 0;

  function latin(text) {
    return String(text).replace(/[০-৯]/g, function (d) { return String(BENGALI.indexOf(d)); });
  }
  // Taka as typed (Bengali or Latin digits, commas, ৳ or Tk) to poisha; NaN when unreadable.
  function poisha(text) {
    var clean = latin(text).replace(/[,\s৳]|tk|টাকা/gi, "");
    if (clean === "") return 0;
    if (!/^\d+(\.\d{1,2})?$/.test(clean)) return NaN;
    return Math.round(parseFloat(clean) * 100);
  }
  function count(text) {
    var clean = latin(text).trim();
    if (clean === "") return 0;
    return /^\d+$/.test(clean) ? parseInt(clean, 10) : NaN;
  }
  function digits(text) {
    return bengali ? String(text).replace(/[0-9]/g, function (d) { return BENGALI[+d]; }) : String(text);
  }
  function taka(amount) {
    var sign = amount < 0 ? "-" : "";
    amount = Math.abs(amount);
    var whole = Math.floor(amount / 100), rest = amount % 100;
    var text = sign + "৳" + whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (rest ? "." + (rest < 10 ? "0" : "") + rest : "");
    return digits(text);
  }
  function show(id, text) {
    var element = document.getElementById(id);
    if (element) element.textContent = text;
  }

  var columns = ["shares", "social_fund", "repayment", "service_charge", "fine", "loan", "grant"];

  function update() {
    var sums = {}, bad = false;
    columns.forEach(function (name) { sums[name] = 0; });
    form.querySelectorAll("input[data-col]").forEach(function (input) {
      var name = input.dataset.col;
      if (!(name in sums)) return;
      var value = name === "shares" ? count(input.value) : poisha(input.value);
      input.classList.toggle("unreadable", isNaN(value));
      if (isNaN(value)) { bad = true; return; }
      sums[name] += value;
    });
    var fix = {loan_fund: 0, social_fund: 0};
    form.querySelectorAll("input[name=corrections]:checked").forEach(function (box) {
      fix.loan_fund += parseInt(box.dataset.loanFund, 10) || 0;
      fix.social_fund += parseInt(box.dataset.socialFund, 10) || 0;
    });
    var shareCash = sums.shares * price;
    var expected = {
      loan_fund: before.loan_fund + shareCash + sums.repayment + sums.service_charge + sums.fine - sums.loan + fix.loan_fund,
      social_fund: before.social_fund + sums.social_fund - sums.grant + fix.social_fund
    };
    show("total-shares", digits(sums.shares));
    show("total-share-cash", taka(shareCash));
    columns.slice(1).forEach(function (name) { show("total-" + name, taka(sums[name])); });
    ["loan_fund", "social_fund"].forEach(function (bag) {
      show("expected-" + bag, bad ? "?" : taka(expected[bag]));
      var counted = form.querySelector("[name=counted_" + bag + "]");
      var mark = document.getElementById("mark-" + bag);
      if (!counted || !mark) return;
      var value = poisha(counted.value);
      mark.className = "mark";
      if (counted.value.trim() === "" || isNaN(value) || bad) { mark.textContent = ""; return; }
      var difference = value - expected[bag];
      mark.classList.add(difference === 0 ? "ok" : "differs");
      mark.textContent = difference === 0 ? "✓ " + form.dataset.textMatches : "✗ " + form.dataset.textDiffers + " " + taka(difference);
    });
  }

  // A member marked absent pays no social fund; marked present again, the usual amount comes back.
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type === "checkbox" && /-present$/.test(box.name) && socialDefault) {
      var social = form.querySelector("[name='" + box.name.replace(/present$/, "social_fund") + "']");
      if (social) {
        if (!box.checked && poisha(social.value) === socialDefault) social.value = "";
        else if (box.checked && social.value.trim() === "") social.value = digits((socialDefault / 100).toString());
      }
    }
    update();
  });
  form.addEventListener("input", update);
  document.getElementById("live-totals").hidden = false;
  update();
})();
