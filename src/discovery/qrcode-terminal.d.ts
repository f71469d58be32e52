/** Types for qrcode-terminal (ships none): only what join-card.ts uses. */
declare module 'qrcode-terminal' {
  interface Options {
    /** half-height blocks instead of ANSI colour cells */
    small?: boolean;
  }
  const qrcode: {
    /** Renders `text` as a QR code; the callback is called synchronously. */
    generate(text: string, opts: Options, cb: (qr: string) => void): void;
    generate(text: string, cb: (qr: string) => void): void;
  };
  export default qrcode;
}
