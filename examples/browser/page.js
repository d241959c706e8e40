// What every demo page does around its work: runs it when its form is sent, and shows a
// failure (#status, #error; body[data-done] = "error", which the tests wait for).

export function showFailure(error) {
  document.getElementById('status').textContent = 'failed';
  const box = document.getElementById('error');
  box.hidden = false;
  box.textContent = String(error?.stack ?? error);
  document.body.dataset.done = 'error';
}

/** Runs `work` (async) each time `form` is sent. */
export function onSubmit(form, work) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    work().catch(showFailure);
  });
}
