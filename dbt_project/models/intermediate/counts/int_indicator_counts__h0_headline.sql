{{ indicator_counts('h0_headline') }}
