// A progress bar on stderr across the stages of a command, shown only on a terminal.
import cliProgress from 'cli-progress';

export class Progress {
  private readonly bar?: cliProgress.SingleBar;
  private stage = 0;

  constructor(private readonly stages: string[]) {
    if (!process.stderr.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      { format: 'mlx-onnx {bar} {value}/{total} {stage}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(stages.length, 0, { stage: stages[0] });
  }

  step(): void {
    if (!this.bar) return;
    this.stage += 1;
    this.bar.update(this.stage, { stage: this.stages[this.stage] ?? '' });
  }

  done(): void {
    this.bar?.stop();
  }
}
