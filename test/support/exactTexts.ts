const AT = '2026-03-01T10:00:00.000Z';

/** Events a JSON.parse and JSON.stringify would change, and one nested deeper than JSON.stringify can go. */
export const EXACT_TEXTS = [
  `{"gid":"1300000000000001","created_at":"${AT}","details":{"big":12345678901234567890,"ratio":1.10,"exp":1E+2}}`,
  `{"gid":"1300000000000002","created_at":"${AT}","context":{"k":"first","k":"second"}, "spaced" :  [ 1 ,2 ] }`,
  `{"gid":"1300000000000003","created_at":"${AT}","details":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  `{"gid":"1300000000000004","created_at":"${AT}","event_type":"user_login_succeeded","note":"\\u00e9 \\"quoted\\" <b>"}`,
];
