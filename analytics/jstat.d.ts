// jstat ships no type declarations; these cover the distributions the analytics use.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  const jStat: { chisquare: Distribution; normal: Distribution; gamma: Distribution };
  export default jStat;
}
