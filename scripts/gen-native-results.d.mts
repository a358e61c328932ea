export declare const headerPath: string;
export declare const outputPath: string;
export declare function parseLists(text: string): { name: string; fields: { kind: string; json: string; ts: string }[] }[];
export declare function generate(text: string): string;
