// The training view's static markup, with stable ids for the script and for tests; each chart's
// canvas gets `data-ready="1"` and `data-points` (its points drawn) once drawn.
export const TRAINING_VIEW_BODY = `
<header>
  <h1 id="title">Training</h1>
  <div id="message" class="muted"></div>
</header>
<section aria-label="Progress">
  <progress id="progress" max="1" value="0"></progress>
  <div class="figures" id="status"></div>
  <button id="cancel" type="button" hidden>Cancel run</button>
</section>
<section aria-labelledby="loss-heading">
  <h2 id="loss-heading">Loss</h2>
  <div class="chart" id="loss-box"><canvas id="loss-chart" role="img" aria-label="Training and evaluation loss by step"></canvas></div>
</section>
<section aria-labelledby="lr-heading">
  <h2 id="lr-heading">Learning rate</h2>
  <div class="chart" id="lr-box"><canvas id="lr-chart" role="img" aria-label="Learning rate by step"></canvas></div>
</section>
`;
