export declare const stampPath: string;
export declare function sourceHash(base?: string): { sources: string; files: string[] };
