// "Use my location": fill the latitude and longitude fields of the button's form from the
// browser's geolocation API (the browser asks the user's permission first). No map, no
// external script: the coordinates are sent with the form and checked by the server.
"use strict";

document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-locate]");
  if (!button) {
    return;
  }
  const box = button.closest("fieldset") || button.form;
  const status = box.querySelector("[data-locate-status]");
  const say = function (text) {
    if (status) {
      status.textContent = text;
    }
  };
  if (!("geolocation" in navigator)) {
    say(button.dataset.unavailable);
    return;
  }
  say(button.dataset.asking);
  navigator.geolocation.getCurrentPosition(
    function (position) {
      box.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
      box.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
      say(button.dataset.found.replace("{metres}", Math.round(position.coords.accuracy)));
    },
    function () {
      say(button.dataset.refused);
    },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
  );
});
